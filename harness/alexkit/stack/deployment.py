"""A provisioned Alex stack: the generic identifiers plus what Alex's code is told and needs."""

from __future__ import annotations

from alex.db import Database
from alex.db.migrate import migrate

from harness.alexkit.facts import analysis_queue_names
from harness.stack.provision import ClientFactory, ProvisionedStack, provision
from harness.stack.spec import StackSpec


class AlexDeployment(ProvisionedStack):
    """Alex's stack once provisioned: its queues by role, its wiring, its database."""

    @property
    def jobs_queue_url(self) -> str:
        return self.queue_urls[analysis_queue_names(self.spec.prefix)[0]]

    @property
    def dlq_name(self) -> str:
        return analysis_queue_names(self.spec.prefix)[1]

    @property
    def dlq_url(self) -> str:
        return self.queue_urls[self.dlq_name]

    def runtime_environment(self) -> dict[str, str]:
        """Variables every function (and the API) gets, as Alex's Terraform wires them."""
        return {
            "AURORA_CLUSTER_ARN": self.cluster_arn,
            "AURORA_SECRET_ARN": self.secret_arn,
            "DATABASE_NAME": self.spec.database.database_name,
            "SQS_QUEUE_URL": self.queue_urls.get(analysis_queue_names(self.spec.prefix)[0], ""),
        }

    def migrate(self, client: ClientFactory) -> list[str]:
        """Apply Alex's migrations to the stack's database through the Data API; the versions applied."""
        return migrate(client("rds-data"), self.cluster_arn, self.secret_arn, self.spec.database.database_name)

    def database(self, client: ClientFactory) -> Database:
        """Alex's repositories over the stack's Data API."""
        return Database.from_env(self.runtime_environment(), client("rds-data"))


def deploy_alex(spec: StackSpec, client: ClientFactory) -> AlexDeployment:
    """Provision ``spec`` (an :func:`~harness.alexkit.stack.definition.alex_stack`) as an Alex deployment."""
    return provision(spec, client, into=AlexDeployment)
