"""Helpers and fixtures for the RDS Data API conformance tests: an Aurora PostgreSQL cluster with its secret."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

PASSWORD = "s3cret-Password-1"


@dataclass
class Aurora:
    """One cluster and its secret, with shortcuts for Data API calls through boto3."""

    rds: Any  # the rds-data client
    cluster_arn: str
    secret_arn: str

    @property
    def ids(self) -> dict[str, str]:
        return {"resourceArn": self.cluster_arn, "secretArn": self.secret_arn}

    def run(self, sql: str, *params: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return self.rds.execute_statement(sql=sql, parameters=list(params), **self.ids, **kwargs)

    def error(self, sql: str, *params: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """The error a statement gets: Code, Message, HTTP status and any extra members."""
        with pytest.raises(ClientError) as caught:
            self.run(sql, *params, **kwargs)
        return error_of(caught.value)

    def begin(self, **kwargs: Any) -> str:
        return str(self.rds.begin_transaction(**self.ids, **kwargs)["transactionId"])

    def commit(self, tx: str) -> dict[str, Any]:
        return dict(self.rds.commit_transaction(transactionId=tx, **self.ids))

    def rollback(self, tx: str) -> dict[str, Any]:
        return dict(self.rds.rollback_transaction(transactionId=tx, **self.ids))

    def scalar(self, sql: str, *params: dict[str, Any], **kwargs: Any) -> Any:
        (row,) = self.run(sql, *params, **kwargs)["records"]
        return next(iter(row[0].values()))


def error_of(err: ClientError) -> dict[str, Any]:
    response = err.response
    return {
        **{k: v for k, v in response.items() if k not in {"Error", "ResponseMetadata"}},
        "Code": response["Error"]["Code"],
        "Message": response["Error"]["Message"],
        "status": response["ResponseMetadata"]["HTTPStatusCode"],
    }


def p(name: str, hint: str | None = None, **value: Any) -> dict[str, Any]:
    """A SqlParameter: ``p("id", longValue=1)``, ``p("doc", "JSON", stringValue="{}")``."""
    param: dict[str, Any] = {"name": name, "value": value}
    if hint:
        param["typeHint"] = hint
    return param


def make_secret(cloud: Any, name: str, username: str, password: str) -> str:
    value = json.dumps({"username": username, "password": password, "engine": "postgres"})
    return str(cloud.client("secretsmanager").create_secret(Name=name, SecretString=value)["ARN"])


def make_cluster(cloud: Any, identifier: str, *, serverless_v1: bool = False, **overrides: Any) -> str:
    settings: dict[str, Any] = {
        "DBClusterIdentifier": identifier,
        "Engine": "aurora-postgresql",
        "EngineVersion": "16.6",
        "DatabaseName": "app",
        "MasterUsername": "app_admin",
        "MasterUserPassword": PASSWORD,
        "EnableHttpEndpoint": True,
    }
    if serverless_v1:
        settings.update(EngineMode="serverless", EngineVersion="11.13")
    settings.update(overrides)
    return str(cloud.client("rds").create_db_cluster(**settings)["DBCluster"]["DBClusterArn"])


@pytest.fixture
def aurora(cloud: Any) -> Aurora:
    """Aurora PostgreSQL (Serverless v2 / provisioned) cluster "conformance", database app, Data API on."""
    cluster = make_cluster(cloud, "conformance")
    return Aurora(cloud.client("rds-data"), cluster, make_secret(cloud, "app-db", "app_admin", PASSWORD))


@pytest.fixture
def aurora_v1(cloud: Any) -> Aurora:
    """An Aurora Serverless v1 cluster (engine mode serverless), for the behaviours only v1 had."""
    cluster = make_cluster(cloud, "legacy", serverless_v1=True, DatabaseName="legacy", MasterUsername="legacy_admin")
    return Aurora(cloud.client("rds-data"), cluster, make_secret(cloud, "legacy-db", "legacy_admin", PASSWORD))
