"""Alex's HTTP API (FastAPI on Lambda behind API Gateway); ``security`` guards its edge."""
