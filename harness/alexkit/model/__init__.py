"""The bundled Alex's script for the scripted model: one rule for Alex's five agents.

Alex's agents announce themselves with a role line (``You are Alex's Tagger agent.``) and
carry their input in an ``<input>`` block (``alex.schemas``); this script answers them from
that input (``rules``, ``reports``, ``charts``, ``reference``) and names each call after the
agent (``tagger``, ``planner``, ...), the names Alex's scenarios key faults on. It is loaded
like any user's script: ``ScriptedBedrock(scripts=["harness.alexkit.model"])``, or
``HARNESS_BEDROCK_SCRIPTS=harness.alexkit.model``.
"""

from __future__ import annotations

from harness.alexkit.model import rules
from harness.bedrock.converse_wire import ConverseRequest
from harness.bedrock.scripts import Rule, Script

# What the malformed fault sends instead of a text answer, per agent (as before the generic model).
_MALFORMED = {
    "charter": '{"charts": [{"key": "x", "type": "pie", "data": [{"name": "A", "value": "ten"}',
    "tagger": '{"rationale": "The instrument is a broad market fund", "symbol": ',
}


def _agent(request: ConverseRequest) -> str | None:
    return rules.identify(request)


def _malformed(request: ConverseRequest) -> str | None:
    return _MALFORMED.get(rules.identify(request) or "")


SCRIPT = Script(
    name="alex",
    rules=[
        Rule(
            name="alex",
            agent=_agent,
            when=lambda request: rules.identify(request) is not None,
            call=lambda request: rules.answer(request, rules.identify(request)),
            malformed=_malformed,
        )
    ],
    source="harness.alexkit.model",
)
