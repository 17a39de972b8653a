"""Alex's test kit: the layer of the harness that knows the bundled Alex.

Alex's stack, its scripted model answers, scenarios, load tests, the dashboard's data,
its pytest fixtures and the ``alex-harness`` CLI. It builds on the generic kit (the rest
of ``harness``), which never imports this package or ``alex`` (checked by import-linter
in CI); another application gets the same local cloud by writing a layer like this one.
"""

# The scripted model's script for Alex's agents (harness/alexkit/model), by module path so that
# naming it costs no import until the model loads it.
ALEX_MODEL_SCRIPT = "harness.alexkit.model"
