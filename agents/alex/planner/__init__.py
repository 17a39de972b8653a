"""The planner: SQS-triggered orchestrator that tags, then calls the analysis agents as Lambdas."""
