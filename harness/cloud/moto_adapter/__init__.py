"""The one place the harness reaches into moto's internals (its backends, models, server and patches).

moto is pinned exactly (pyproject.toml) because nothing below its boto3-facing API is a stable
interface: backends are module-level ``BackendDict``s, models are plain objects whose attributes
change between releases. Every such reach is here, one module per moto service as moto lays
itself out (``awslambda``, ``sqs``, ``rds``, ...), as typed functions that say what they need and
return the harness's own values; the rest of the harness imports this package, never ``moto``
(``tests/harness/test_layering.py`` checks it). Upgrading moto means reading these files.

moto is imported inside the functions, not at import time: importing a service's models is slow,
and some callers (schedules) only read a service whose models a request has already loaded.
"""
