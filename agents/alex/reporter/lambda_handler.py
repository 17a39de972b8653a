"""Reporter Lambda: ``{"job_id": ...}`` from the planner; stores the job's reporter payload."""

from alex.reporter.agent import write_report
from alex.lambda_support import agent_lambda

lambda_handler = agent_lambda("reporter", write_report)
