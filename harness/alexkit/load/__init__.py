"""Load runs against the local stack: Locust scenarios (``locustfiles/api.py``), the stack they run
against, the after-load job accounting, and the report of Locust's CSV statistics.

Nothing here imports Locust: Locust monkey-patches the standard library with gevent when it
is imported, so it runs in its own processes (``python -m locust``) and this package only
starts them, feeds them (issuer state, journal directory) and reads what they wrote.
"""
