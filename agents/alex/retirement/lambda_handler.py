"""Retirement Lambda: ``{"job_id": ...}`` from the planner; stores the job's retirement payload."""

from alex.retirement.agent import analyse_retirement
from alex.lambda_support import agent_lambda

lambda_handler = agent_lambda("retirement", analyse_retirement)
