"""Secrets Manager as moto holds it: a secret's current value, read in process."""

from __future__ import annotations

from typing import Any


class SecretNotFound(LookupError):
    """No such secret in moto's Secrets Manager (or no backend for its account and region)."""


def secret_value(account_id: str, region: str, secret_id: str) -> dict[str, Any]:
    """GetSecretValue's answer for the secret's current version (``SecretString``, ...).

    ``SecretNotFound`` when it does not exist; any other failure (deleted, no current version) as moto raises it.
    """
    from moto.secretsmanager.exceptions import SecretNotFoundException
    from moto.secretsmanager.models import secretsmanager_backends

    try:
        return secretsmanager_backends[account_id][region].get_secret_value(secret_id, None, None)  # type: ignore[arg-type]  # moto: no version id or stage
    except (SecretNotFoundException, KeyError) as err:
        raise SecretNotFound(secret_id) from err


def pin_secret_suffix(account_id: str, region: str, name: str, suffix: str) -> None:
    """Secrets named ``name`` get ARN suffix ``suffix`` instead of six random letters, across resets.

    Uses moto's custom-id manager (what its ``@mock_aws`` users set ids with); the pin outlives
    ``reset()`` since moto keeps custom ids apart from the backends.
    """
    from moto.secretsmanager.utils import SecretsManagerSecretIdentifier
    from moto.utilities.id_generator import moto_id_manager

    moto_id_manager.set_custom_id(SecretsManagerSecretIdentifier(account_id, region, name), suffix)
