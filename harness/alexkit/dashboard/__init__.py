"""``alex-harness dashboard``: a loopback web page of the stack's metrics, alarms, jobs and traces."""

from harness.alexkit.dashboard.data import DashboardSource
from harness.alexkit.dashboard.server import DashboardServer

__all__ = ["DashboardServer", "DashboardSource"]
