"""Root conftest: Alex's fixtures on top of the local cloud's plugin (loaded by its pytest11 entry point)."""

pytest_plugins = ["harness.alexkit.pytest_plugin"]
