"""``kit_project/`` is another project's test suite, run in its own pytest by test_kit_plugin.py."""

collect_ignore_glob = ["kit_project/*"]
