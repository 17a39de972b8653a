"""Charter Lambda: ``{"job_id": ...}`` from the planner; stores the job's charter payload."""

from alex.charter.agent import make_charts
from alex.lambda_support import agent_lambda

lambda_handler = agent_lambda("charter", make_charts)
