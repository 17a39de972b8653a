"""Alex's routes, one module per resource; every ``/api`` route needs a signed-in user (``CurrentUser``)."""
