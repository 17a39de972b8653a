"""The cassette context: vcrpy configured for Bedrock, provenance, and loud misses.

Record modes are vcrpy's: ``none`` (the default, and always in CI: a request the cassette
does not hold fails), ``new_episodes`` (play what is recorded, record what is new) and
``all`` (record everything afresh). A miss in ``none`` mode is kept as a
:class:`CassetteMiss` naming the cassette, the nearest recorded request and the
difference, so the caller can fail loudly even when the model client (LiteLLM) wraps the
error and retries.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, UTC
from pathlib import Path
from typing import Any

import vcr
from harness.redaction import scrub_text
from vcr.errors import CannotOverwriteExistingCassetteException
from vcr.patch import PATCHER_NAMES

from harness.cassettes import matching, scrub, serializer
from harness.cassettes.selection import RECORD_MODES

PROVENANCE_KEY = "provenance"

# vcrpy logs each interaction it loads at INFO, bodies included: in a function's log (INFO by
# default) that would be the whole cassette again on every invocation.
logging.getLogger("vcr").setLevel(logging.WARNING)
_global_lock = threading.RLock()  # vcrpy patches classes process-wide: one cassette at a time per process


@dataclass
class Provenance:
    """What a cassette was recorded against, when, and for which models."""

    recorded_against: str
    recorded_at: str = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0).isoformat())
    model_ids: list[str] = field(default_factory=list)
    scenario: str | None = None
    function: str | None = None
    recorder: str = "alex-harness (vcrpy 9.4.2)"

    def to_metadata(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CassetteMiss:
    cassette: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class ActiveCassette:
    path: Path
    record_mode: str
    misses: list[CassetteMiss] = field(default_factory=list)
    cassette: Any = None

    @property
    def provenance(self) -> dict[str, Any] | None:
        return self.cassette._metadata.get(PROVENANCE_KEY) if self.cassette is not None else None


# The libraries a Bedrock call can go through: LiteLLM's httpx transport (the harness turns
# its aiohttp transport off; aiohttp stays patched should anything turn it back on) and
# boto3's bedrock-runtime client. vcrpy's other patchers (requests, urllib3, httplib,
# tornado, ...) cost 0.5 ms a cassette and would never see a model call.
PATCHED_LIBRARIES = ("httpx", "aiohttp", "boto3")


def make_vcr(record_mode: str) -> vcr.VCR:
    """vcrpy configured for Bedrock. Replay (``none``) only filters requests to model calls:
    nothing is written, so the scrubbing that recording needs (of every request and response,
    each time vcrpy filters one) is skipped, and a miss's message is scrubbed instead (see
    :func:`_watch_misses`)."""
    if record_mode not in RECORD_MODES:
        raise ValueError(f"record mode must be one of {', '.join(RECORD_MODES)}, not {record_mode!r}")
    replay = record_mode == "none"
    recorder = vcr.VCR(
        record_mode=record_mode,
        serializer=serializer.NAME,
        match_on=("method", "model_path", "normalised_body"),
        before_record_request=scrub.model_calls_only if replay else scrub.scrub_request,
        before_record_response=None if replay else scrub.scrub_response,
        decode_compressed_response=not replay,  # cassettes are stored decoded
        skip_patchers=tuple(name for name in PATCHER_NAMES if name not in PATCHED_LIBRARIES),
    )
    recorder.register_serializer(serializer.NAME, serializer.SERIALIZER)
    recorder.register_matcher("model_path", matching.model_path)
    recorder.register_matcher("normalised_body", matching.normalised_body)
    return recorder


@contextlib.contextmanager
def use_cassette(
    path: str | os.PathLike[str], record_mode: str = "none", provenance: Provenance | None = None
) -> Iterator[ActiveCassette]:
    """Play (and in a record mode, record) the model calls made inside the block.

    In a record mode the cassette file is locked for the block, so two environments of
    the same function recording at once do not overwrite each other's calls.
    """
    target = Path(path)
    active = ActiveCassette(target, record_mode)
    with _global_lock, _file_lock(target, record_mode != "none"):
        with make_vcr(record_mode).use_cassette(str(target)) as cassette:
            active.cassette = cassette
            _watch_misses(cassette, active)
            if record_mode != "none":
                stored = cassette.get_metadata(PROVENANCE_KEY, (provenance or Provenance("unknown")).to_metadata())
                yield active
                if not cassette.requests and not target.exists():
                    cassette.dirty = False  # no model call (a sweeper, say): no cassette file, only its metadata
                else:
                    models = {m[0] for r in cassette.requests if (m := matching.model_operation(r.path))}
                    stored["model_ids"] = sorted(set(stored.get("model_ids", [])) | models)
            else:
                yield active


def require_provenance(active: ActiveCassette) -> dict[str, Any]:
    """The cassette's provenance; an error naming the file when it has none."""
    found = active.provenance
    if not found:
        raise ValueError(f"cassette {active.path} states no provenance (metadata.{PROVENANCE_KEY}); re-record it")
    return dict(found)


def _watch_misses(cassette: Any, active: ActiveCassette) -> None:
    """Keep each model request the cassette cannot answer (LiteLLM would wrap and retry the
    error); requests the filters leave out (the Data API's, say) go through unrecorded."""
    original = cassette.can_play_response_for

    def can_play(request: Any) -> bool:
        found = bool(original(request))
        if not found and cassette.write_protected and cassette.filter_request(request) is not None:
            message = scrub_text(str(CannotOverwriteExistingCassetteException(cassette=cassette, failed_request=request)))
            active.misses.append(CassetteMiss(str(active.path), message))
        return found

    cassette.can_play_response_for = can_play


@contextlib.contextmanager
def _file_lock(path: Path, exclusive: bool) -> Iterator[None]:
    """Recording sessions of one cassette take turns (xdist workers, parallel `record` runs).

    One lock per cassette, not per folder: a scenario's functions record into one folder at once,
    the planner waiting on the reporter. The lock files live in one folder of their own.
    """
    if not exclusive:
        yield
        return
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:16]
    locks = Path(tempfile.gettempdir()) / "alex-cassette-locks"
    locks.mkdir(exist_ok=True)
    with open(locks / f"{digest}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
