"""The local cloud and test tooling that runs Alex end to end on one machine."""

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT_ID = "123456789012"
FAKE_ACCESS_KEY = "testing"
FAKE_SECRET_KEY = "testing"
