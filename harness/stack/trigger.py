"""Switch the planner's SQS trigger off, for tests that read the jobs queue themselves."""

from __future__ import annotations

import threading
import time
from typing import Any

from harness.stack.provision import ProvisionedStack


def disable_planner_trigger(lam: Any, stack: ProvisionedStack, timeout: float = 5.0) -> None:
    """Disable the stack's event source mappings, then wait until their pollers have ended.

    ``update_event_source_mapping(Enabled=False)`` stops the poller, but a long poll already
    in flight may still take a message and hide it for the queue's 910 s visibility timeout;
    the pollers are threads named ``esm-<uuid>-<n>`` of the process the local cloud runs in.
    """
    for mapping_id in stack.mapping_ids:
        lam.update_event_source_mapping(UUID=mapping_id, Enabled=False)
    prefixes = tuple(f"esm-{mapping_id[:8]}-" for mapping_id in stack.mapping_ids)
    deadline = time.monotonic() + timeout
    while any(t.name.startswith(prefixes) and t.is_alive() for t in threading.enumerate()):
        if time.monotonic() > deadline:
            raise AssertionError("the planner's SQS pollers did not stop after the mapping was disabled")
        time.sleep(0.02)
