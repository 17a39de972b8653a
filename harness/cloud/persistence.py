"""CloudState: with a data directory, what a user creates in the local cloud survives a restart.

Mechanism, chosen on purpose: moto's own in-memory backends are pickled whole into
``<data dir>/cloud/state.pickle`` (written to a temporary file, then renamed, so a kill
mid-write leaves the previous snapshot), together with the state of harness
components that keep their own (event source mappings, schedules). A snapshot is taken
at most every ``interval`` seconds after any request changed something, and once more on
a clean stop. moto's backends already hold everything AWS keeps (SQS messages with
their receive counts and visibility deadlines, secrets and their versions, functions and
their code, alarms, log groups, clusters), so nothing is mapped twice and every service
moto emulates is covered; a journal would need a replay per operation, and moving SQS
onto PostgreSQL would cover SQS only. The price is a window: a change made less than
``interval`` seconds before a ``kill -9`` can be lost (a message sent just then, say).
An application must survive that anyway (on AWS a process can die between writing a
job and sending its message), which is what a scheduled sweeper is for.

Locks inside moto's models are not picklable: each is stored as a fresh lock (a
WeakValueDictionary as its items, a defaultdict of a lambda as one of the lambda's type). IAM's
AWS-managed policies (about 24 MB) are stored by ARN and taken from the new backend.
"""

from __future__ import annotations

import io
import logging
import os
import pickle
import threading
import time
import weakref
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from harness.cloud.moto_adapter import backends as moto_backends
from harness.cloud.moto_adapter import iam as moto_iam

if TYPE_CHECKING:
    from harness.cloud.host import CloudHost

log = logging.getLogger(__name__)

# moto services whose backends are kept (those with any account's state)
SERVICES = (
    "sqs",
    "secretsmanager",
    "lambda",
    "rds",
    "logs",
    "cloudwatch",
    "sns",
    "events",
    "scheduler",
    "iam",
    "ssm",
    "s3",
    "dynamodb",
    "kms",
    "sts",
)
_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))
FORMAT = 1


@runtime_checkable
class Persistent(Protocol):
    """A component with state of its own to keep: a picklable value, and a way to take it back."""

    def persist_state(self) -> Any: ...

    def restore_state(self, state: Any) -> None: ...


def _fresh_lock(recursive: bool) -> Any:
    return threading.RLock() if recursive else threading.Lock()


def _defaultdict_of(factory: type, items: dict[Any, Any]) -> defaultdict[Any, Any]:
    return defaultdict(factory, items)


def _weak_values(items: dict[Any, Any]) -> weakref.WeakValueDictionary[Any, Any]:
    return weakref.WeakValueDictionary(items)


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        if type(obj) in _LOCK_TYPES:
            return _fresh_lock, (type(obj) is _LOCK_TYPES[1],)
        if type(obj) is weakref.WeakValueDictionary:  # moto's Lambda keeps its ARN index in one
            return _weak_values, (dict(obj),)
        if type(obj) is defaultdict and getattr(obj.default_factory, "__name__", "") == "<lambda>":
            made = type(obj.default_factory())  # type: ignore[misc]  # checked above: a lambda. e.g. ``defaultdict(lambda: {})``: stored as defaultdict(dict)
            return _defaultdict_of, (made, dict(obj))
        return NotImplemented

    def persistent_id(self, obj: Any) -> Any:
        if moto_iam.is_aws_managed_policy(obj):
            return ("aws-policy", getattr(obj, "account_id", ""), obj.arn)
        return None


class _Unpickler(pickle.Unpickler):
    def persistent_load(self, pid: Any) -> Any:
        kind, account, arn = pid
        if kind != "aws-policy":
            raise pickle.UnpicklingError(f"unknown persistent id {kind!r}")
        partition = arn.split(":")[1]
        policy = moto_iam.aws_managed_policy(account, partition, arn)
        if policy is None:
            raise pickle.UnpicklingError(f"no AWS managed policy {arn}")
        return policy


def dumps(value: Any) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def loads(data: bytes) -> Any:
    return _Unpickler(io.BytesIO(data)).load()


class CloudState:
    """The local cloud's state under ``<data_dir>/cloud``: restored on attach, saved while running.

    Put it first among the components, so the others find their state restored when they start.
    """

    def __init__(self, data_dir: Path, interval: float = 0.5) -> None:
        self.path = Path(data_dir) / "cloud" / "state.pickle"
        self.interval = interval
        self._cloud: CloudHost | None = None
        self._dirty = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._save_lock = threading.Lock()
        self.saves = 0
        self.last_save_seconds = 0.0
        self.last_saved_from = 0.0  # time.monotonic() when the last written snapshot began
        self.restored = False

    # CloudComponent ---------------------------------------------------------------
    def attach(self, cloud: CloudHost) -> None:
        self._cloud = cloud
        assert cloud.edge is not None
        cloud.edge.observe(self._observe)
        if self.path.exists():
            self._restore()

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="cloud-state", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._dirty.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def reset(self) -> None:
        self.mark_dirty()

    # saving -----------------------------------------------------------------------
    def mark_dirty(self) -> None:
        self._dirty.set()

    def _observe(self, method: str, path: str) -> None:
        if method not in ("GET", "HEAD", "OPTIONS"):
            self._dirty.set()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._dirty.wait()
            if self._stopping.wait(self.interval):
                break
            self._dirty.clear()
            self._save_logged()
        self._save_logged()  # the final state of a clean stop (components are stopped by now)

    def _save_logged(self) -> None:
        try:
            self.save()
        except Exception:  # a failed snapshot must not stop the cloud; the previous one stays
            log.exception("could not save the local cloud's state to %s", self.path)

    def _components(self) -> list[Any]:
        return [c for c in (self._cloud.components if self._cloud else []) if isinstance(c, Persistent)]

    def save(self) -> None:
        """Write one consistent-enough snapshot; retried when a request changes a dict mid-copy."""
        with self._save_lock:
            began, started = time.perf_counter(), time.monotonic()
            for attempt in range(5):
                try:
                    document = {
                        "format": FORMAT,
                        "moto": moto_backends.capture(SERVICES),
                        "components": {type(c).__name__: c.persist_state() for c in self._components()},
                    }
                    data = dumps(document)
                    break
                except RuntimeError:  # "dictionary changed size during iteration": take it again
                    if attempt == 4:
                        raise
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(".tmp")
            temporary.write_bytes(data)
            os.replace(temporary, self.path)
            self.saves += 1
            self.last_save_seconds = time.perf_counter() - began
            self.last_saved_from = started

    def _restore(self) -> None:
        try:
            document = loads(self.path.read_bytes())
        except Exception as err:  # noqa: BLE001 - keep the unreadable file for the user; start empty rather than not at all
            kept = self.path.with_suffix(f".unreadable-{int(time.time())}")
            os.replace(self.path, kept)
            log.error("the saved cloud state could not be read (%s); kept as %s, starting empty", err, kept)
            return
        if document.get("format") != FORMAT:
            raise RuntimeError(f"{self.path} has state format {document.get('format')!r}, expected {FORMAT}")
        moto_backends.restore(document["moto"])
        saved = document.get("components", {})
        for component in self._components():
            if type(component).__name__ in saved:
                component.restore_state(saved[type(component).__name__])
        self.restored = True
        log.info("local cloud state restored from %s", self.path)
