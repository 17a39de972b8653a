"""One PostgreSQL server per Aurora cluster, as on AWS, where each cluster is its own database server.

A cluster's databases and roles live on its own embedded server: another cluster's
database "does not exist" there, and two clusters may both have database ``alex`` and
master user ``alexadmin``. Servers start on a cluster's first Data API call (one spare
is started in the background with the cloud, so the first cluster does not wait);
after a reset they are wiped and kept as spares, since initdb costs more than a wipe.
A cluster deleted and created again under the same id gets a wiped server, as a new
Aurora cluster is empty. With a data directory, each cluster keeps its own
``clusters/<id>-<hash of its ARN>`` directory across runs. Given an existing
PostgreSQL (``--postgres-dsn``) every cluster shares it, namespaced by name only.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import secrets
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from harness.cloud.rds_data.clusters import Cluster, ClusterDatabases
from harness.cloud.rds_data.pool import Slots
from harness.cloud.rds_data.postgres import Postgres

log = logging.getLogger(__name__)


@dataclass
class Server:
    """A PostgreSQL and what the Data API materialised in it for the cluster it serves."""

    postgres: Postgres
    databases: ClusterDatabases
    created: str = ""  # the cluster's creation time: another cluster under the same id finds it wiped
    slots: Slots = field(default_factory=Slots)
    key: str = field(default_factory=lambda: secrets.token_hex(8))  # names the server in pools and caches

    def wipe(self) -> None:
        self.databases.drop_all()
        self.created = ""


class ClusterServers:
    """The server behind each cluster ARN."""

    def __init__(
        self, dsn: str | None = None, data_dir: Path | None = None, on_wipe: Callable[[str], None] | None = None
    ) -> None:
        self._data_dir = data_dir
        self._on_wipe = on_wipe  # told the key of a server wiped under its pooled connections
        self._shared: Server | None = None
        if dsn is not None:
            postgres = Postgres(dsn=dsn)
            self._shared = Server(postgres, ClusterDatabases(postgres))
        self._by_cluster: dict[str, Server] = {}
        self._spares: list[Server] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        if self._shared is not None:
            self._shared.postgres.start()
        elif self._data_dir is None:
            with self._lock:
                if not self._spares:
                    self._spares.append(self._new(None))

    def for_cluster(self, cluster: Cluster) -> Server:
        if self._shared is not None:
            return self._shared
        with self._lock:
            server = self._by_cluster.get(cluster.arn)
            if server is None:
                server = self._spares.pop() if self._spares and self._data_dir is None else self._new(cluster)
                self._by_cluster[cluster.arn] = server
        if server.created != cluster.created:
            with self._lock:
                if server.created != cluster.created:
                    if server.created:
                        server.postgres.wait_ready()
                        if self._on_wipe is not None:
                            self._on_wipe(server.key)
                        server.wipe()
                    server.created = cluster.created
        return server

    def all(self) -> list[Server]:
        with self._lock:
            servers = list(self._by_cluster.values()) + list(self._spares)
        return servers + ([self._shared] if self._shared is not None else [])

    def reset(self) -> None:
        """Wipe every cluster's server; without a data directory they become spares for new clusters."""
        if self._shared is not None:
            self._shared.wipe()
            return
        with self._lock:
            used = list(self._by_cluster.values())
            if self._data_dir is None:
                self._by_cluster.clear()
        for server in used:
            try:
                server.postgres.wait_ready()
            except Exception:  # a server that never came up has nothing to wipe
                continue
            try:
                server.wipe()
            except psycopg.OperationalError as err:  # its PostgreSQL died: forget it, a new one starts empty
                log.warning("a cluster's PostgreSQL is gone (%s); it is replaced on next use", err)
                self._forget(server)
        if self._data_dir is None:
            with self._lock:
                self._spares.extend(used)

    def _forget(self, server: Server) -> None:
        """Drop a dead server and its data, so the next call for its cluster starts a fresh one."""
        with contextlib.suppress(Exception):
            server.postgres.stop()
        with self._lock:
            for arn, known in list(self._by_cluster.items()):
                if known is server:
                    del self._by_cluster[arn]
        if self._data_dir is not None and server.postgres.data_dir is not None:
            shutil.rmtree(server.postgres.data_dir, ignore_errors=True)

    def stop(self) -> None:
        for server in self.all():
            server.postgres.stop()
        with self._lock:
            self._by_cluster.clear()
            self._spares.clear()

    def _new(self, cluster: Cluster | None) -> Server:
        data_dir = None
        if self._data_dir is not None and cluster is not None:
            # short: the server's Unix socket lives in there, and socket paths are limited to 107 bytes
            name = (
                re.sub(r"[^A-Za-z0-9_-]", "_", cluster.identifier)[:16] + "-" + hashlib.sha1(cluster.arn.encode()).hexdigest()[:8]
            )
            data_dir = Path(self._data_dir) / "clusters" / name
        postgres = Postgres(data_dir=data_dir)
        postgres.start()
        return Server(postgres, ClusterDatabases(postgres))
