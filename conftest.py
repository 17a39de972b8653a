"""Root conftest: the harness's pytest plugin gives every test the local-cloud fixtures."""

pytest_plugins = ["harness.pytest_plugin"]
