"""vcrpy's YAML cassette serializer, with parsed cassettes kept in memory.

A Lambda environment enters its cassette once per invocation, and parsing the YAML is
most of what entering costs (1.4–2.3 ms for a happy-path cassette here). The cache is
keyed by the file's text, so a re-recorded cassette is parsed afresh, and every load
gets its own copy of what vcrpy changes as it loads (each response and its body).
"""

from __future__ import annotations

import copy
import hashlib
import threading
from collections import OrderedDict
from typing import Any

from vcr.serializers import yamlserializer

NAME = "alex-yaml"
_MAX_CASSETTES = 64


class CachedYamlSerializer:
    """``vcr.VCR.register_serializer`` protocol: ``deserialize(text)`` / ``serialize(dict)``."""

    def __init__(self, max_cassettes: int = _MAX_CASSETTES) -> None:
        self._parsed: OrderedDict[str, Any] = OrderedDict()
        self._max = max_cassettes
        self._lock = threading.Lock()

    def deserialize(self, cassette_string: str) -> Any:
        key = hashlib.sha1(cassette_string.encode("utf-8", "surrogatepass")).hexdigest()
        with self._lock:
            parsed = self._parsed.get(key)
            if parsed is not None:
                self._parsed.move_to_end(key)
        if parsed is None:
            parsed = yamlserializer.deserialize(cassette_string)
            with self._lock:
                self._parsed[key] = parsed
                while len(self._parsed) > self._max:
                    self._parsed.popitem(last=False)
        return _fresh(parsed)

    @staticmethod
    def serialize(cassette_dict: dict[str, Any]) -> str:
        return yamlserializer.serialize(cassette_dict)


SERIALIZER = CachedYamlSerializer()


def _fresh(parsed: Any) -> Any:
    """A copy of a parsed cassette deep enough for vcrpy to load: it builds new request
    objects from the request mappings, converts each response body in place, and deep-copies
    each response as it appends it."""
    if not isinstance(parsed, dict) or not isinstance(parsed.get("interactions"), list):
        return parsed  # not a cassette vcrpy can load: let it raise its own error
    interactions = []
    for interaction in parsed["interactions"]:
        if isinstance(interaction, dict) and isinstance(interaction.get("response"), dict):
            response = dict(interaction["response"])
            if isinstance(response.get("body"), dict):
                response["body"] = dict(response["body"])
            interaction = {**interaction, "response": response}
        interactions.append(interaction)
    fresh = {**parsed, "interactions": interactions}
    if "metadata" in parsed:
        fresh["metadata"] = copy.deepcopy(parsed["metadata"])  # provenance is updated as a cassette records
    return fresh
