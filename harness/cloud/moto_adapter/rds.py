"""RDS's control plane as moto holds it: an Aurora cluster, read in process."""

from __future__ import annotations

import json
from typing import Any


class MotoCluster:
    """A DB cluster in moto's RDS backend, read through the properties the Data API needs."""

    def __init__(self, cluster: Any) -> None:
        self._cluster = cluster

    @property
    def arn(self) -> str:
        return str(self._cluster.db_cluster_arn)

    @property
    def engine(self) -> str:
        return str(self._cluster.engine)

    @property
    def engine_mode(self) -> str:
        return str(getattr(self._cluster, "engine_mode", ""))

    @property
    def http_endpoint_enabled(self) -> bool:
        return bool(self._cluster.http_endpoint_enabled)

    @property
    def database_name(self) -> str | None:
        return self._cluster.database_name or None

    @property
    def master_username(self) -> str:
        return self._cluster.master_username or ""

    @property
    def created(self) -> str:
        """The creation time: a cluster made again under the same id is another cluster."""
        return str(getattr(self._cluster, "cluster_create_time", ""))

    def master_password(self) -> str:
        """The master password: given at creation, or in the cluster's RDS-managed secret."""
        if getattr(self._cluster, "manage_master_user_password", False):
            return str(json.loads(self._cluster.master_user_secret.secret.secret_string)["password"])
        return str(self._cluster._master_user_password)  # moto keeps it off the public property


def cluster(account_id: str, region: str, cluster_id: str) -> MotoCluster | None:
    """The cluster ``cluster_id`` of the account in ``region``, or None."""
    from moto.rds.models import rds_backends

    try:
        found = rds_backends[account_id][region].clusters.get(cluster_id)
    except KeyError:
        found = None
    return None if found is None else MotoCluster(found)


# Since December 2023 the Data API works on Aurora PostgreSQL Serverless v2 and
# provisioned clusters from these minor versions on ("Data API availability" in the
# Aurora user guide). moto 5.2.5 still only accepts Serverless v1 versions.
DATA_API_MIN_VERSIONS = {13: 12, 14: 9, 15: 4, 16: 1}


def data_api_supported(engine: str, engine_mode: str, engine_version: str) -> bool:
    """Whether AWS would honour EnableHttpEndpoint for a new Aurora PostgreSQL cluster."""
    if engine != "aurora-postgresql" or engine_mode != "provisioned":
        return False
    try:
        major, minor = (int(part) for part in engine_version.split(".")[:2])
    except ValueError:
        return False
    if major > max(DATA_API_MIN_VERSIONS):
        return True
    return major in DATA_API_MIN_VERSIONS and minor >= DATA_API_MIN_VERSIONS[major]


def patch_http_endpoint() -> None:
    """EnableHttpEndpoint takes on the clusters AWS runs the Data API on today (moto: Serverless v1 only)."""
    from moto.rds.models import DBCluster

    original: Any = DBCluster.enable_http_endpoint

    def _set_http_endpoint(self: Any, val: bool | None) -> None:
        original.fset(self, val)
        if val and data_api_supported(self.engine, self.engine_mode, str(self.engine_version)):
            self._enable_http_endpoint = True

    DBCluster.enable_http_endpoint = property(original.fget, _set_http_endpoint)  # type: ignore[method-assign,assignment]


def patch_refuse_duplicate_clusters() -> None:
    """CreateDBCluster with an identifier in use fails with DBClusterAlreadyExistsFault (moto replaced the cluster)."""
    from moto.rds.exceptions import RDSClientError
    from moto.rds.models import RDSBackend

    original = RDSBackend.create_db_cluster

    def create_db_cluster(self: Any, kwargs: dict[str, Any]) -> Any:
        identifier = kwargs.get("db_cluster_identifier")
        if identifier in self.clusters:
            raise RDSClientError("DBClusterAlreadyExistsFault", "DB Cluster already exists")
        # a deleted cluster's automated backups went with it (moto keeps them, and its new one's name clashes)
        for name in [n for n in self.cluster_snapshots if str(n).startswith(f"rds:{identifier}-")]:
            del self.cluster_snapshots[name]
        return original(self, kwargs)

    RDSBackend.create_db_cluster = create_db_cluster  # type: ignore[method-assign]
