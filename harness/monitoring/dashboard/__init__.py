"""``alex-harness dashboard``: a loopback web page of the stack's metrics, alarms, jobs and traces."""

from harness.monitoring.dashboard.data import DashboardSource
from harness.monitoring.dashboard.server import DashboardServer

__all__ = ["DashboardServer", "DashboardSource"]
