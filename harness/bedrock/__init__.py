"""The harness's scripted Bedrock model: a Converse-compatible endpoint with faults.

See :mod:`harness.bedrock.component` for use, ``rules`` for the per-agent answers and
``faults`` for what can go wrong on purpose.
"""

from harness.bedrock.component import ScriptedBedrock
from harness.bedrock.faults import Fault, FaultError

__all__ = ["ScriptedBedrock", "Fault", "FaultError"]
