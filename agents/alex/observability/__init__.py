"""Observability for Alex: JSON logs, the Agents SDK's traces per job, metrics and exporters.

* :mod:`.logging` -- ``configure_logging(service)``, ``bind(**fields)`` (JSON lines on stdout)
* :mod:`.scrub` -- ``scrub(value)``: secrets redacted from strings, dicts and lists
* :mod:`.tracing` -- ``install_tracing(store, exporters)``: the SDK's spans stored per job
* :mod:`.metrics` -- ``AgentMetrics``: CloudWatch metrics from the spans
* :mod:`.exporters` -- ``exporters_from_env()``: OTLP and Langfuse when configured

The submodules are imported on demand so importing the package stays cheap.
"""

from __future__ import annotations

__all__ = ["exporters", "logging", "metrics", "scrub", "tracing"]
