"""LocalStack in host mode, installed and run by the harness: its own venv on a Python it supports,
bound to loopback, started and stopped by ``alex-harness localstack start|stop|status``."""
