"""Run the user's own ``terraform`` against the local cloud, changing only endpoints and credentials.

What ``tflocal`` does for LocalStack: the Terraform files stay as written; for the length of one
command an override file (``*_override.tf``, merged by Terraform into the provider blocks it
names) points every ``aws`` provider configuration at the local cloud with fake credentials, and
the environment carries ``AWS_ENDPOINT_URL`` so services the override does not list go there too
(nothing reaches AWS). When a provider filesystem mirror is on the machine (no registry access),
a generated CLI configuration installs providers from it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from harness import FAKE_ACCESS_KEY, FAKE_SECRET_KEY

OVERRIDE_NAME = "alex_harness_override.tf"
MIRROR_VARIABLE = "ALEX_HARNESS_TF_MIRROR"
DEFAULT_MIRRORS = (Path("/opt/tf-plugins"),)
DEFAULT_ENDPOINT = "http://127.0.0.1:4566"
# Services the edge serves, by the provider's `endpoints` keys (valid in hashicorp/aws 4.x-5.x).
# Any other service still reaches the edge through AWS_ENDPOINT_URL and gets a 501 naming it.
ENDPOINT_KEYS = (
    "apigateway",
    "cloudwatch",
    "dynamodb",
    "events",
    "iam",
    "kms",
    "lambda",
    "logs",
    "rds",
    "s3",
    "secretsmanager",
    "sns",
    "sqs",
    "ssm",
    "sts",
)
_PROVIDER_BLOCK = re.compile(r'provider\s+"aws"\s*\{')
_ALIAS = re.compile(r'^\s*alias\s*=\s*"([^"]+)"', re.MULTILINE)


class TerraformError(RuntimeError):
    """Terraform cannot be run here; the message says what to install or pass."""


@dataclass(frozen=True)
class TerraformRun:
    returncode: int
    output: str  # stdout and stderr interleaved, as printed


def terraform_binary() -> str:
    found = shutil.which("terraform")
    if not found:
        raise TerraformError("terraform is not on PATH: install Terraform (>= 1.5) to deploy your .tf files")
    return found


def working_directory(args: Sequence[str], cwd: Path) -> Path:
    """Where Terraform reads its .tf files: ``-chdir=DIR`` if given, else ``cwd``."""
    for arg in args:
        if arg.startswith("-chdir="):
            return (cwd / arg.split("=", 1)[1]).resolve()
    return cwd.resolve()


def provider_aliases(module_dir: Path) -> list[str | None]:
    """The ``aws`` provider configurations declared in the module (None: the default one)."""
    aliases: list[str | None] = []
    for tf in sorted(module_dir.glob("*.tf")):
        if tf.name.endswith("_override.tf") or tf.name == "override.tf":
            continue
        text = tf.read_text(errors="replace")
        for match in _PROVIDER_BLOCK.finditer(text):
            block = _block_body(text, match.end())
            alias = _ALIAS.search(block)
            aliases.append(alias.group(1) if alias else None)
    return aliases


def _block_body(text: str, start: int) -> str:
    depth, index = 1, start
    while index < len(text) and depth:
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        index += 1
    return text[start:index]


def override_text(endpoint: str, aliases: Sequence[str | None]) -> str:
    """One provider override per declared configuration: endpoints, credentials, no AWS-only checks."""
    endpoints = "\n".join(f'    {key:<14} = "{endpoint}"' for key in ENDPOINT_KEYS)
    blocks = []
    for alias in aliases:
        alias_line = f'  alias                       = "{alias}"\n' if alias else ""
        blocks.append(
            'provider "aws" {\n'
            f"{alias_line}"
            f'  access_key                  = "{FAKE_ACCESS_KEY}"\n'
            f'  secret_key                  = "{FAKE_SECRET_KEY}"\n'
            "  skip_credentials_validation = true\n"
            "  skip_metadata_api_check     = true\n"
            "  skip_region_validation      = true\n"
            "  s3_use_path_style           = true\n"
            "  endpoints {\n"
            f"{endpoints}\n"
            "  }\n"
            "}\n"
        )
    header = "# Written by alex-harness for one command against the local cloud; removed afterwards.\n"
    return header + "\n".join(blocks)


def find_mirror(explicit: Path | None = None) -> Path | None:
    """A provider filesystem mirror: the one given, $ALEX_HARNESS_TF_MIRROR, or a known install location."""
    if explicit is not None:
        if not explicit.is_dir():
            raise TerraformError(f"provider mirror {explicit} is not a directory")
        return explicit
    if os.environ.get(MIRROR_VARIABLE):
        return Path(os.environ[MIRROR_VARIABLE])
    return next((path for path in DEFAULT_MIRRORS if path.is_dir()), None)


def cli_config_text(mirror: Path) -> str:
    """Install providers found in the mirror from it; anything else from its registry as usual."""
    return f'provider_installation {{\n  filesystem_mirror {{\n    path    = "{mirror}"\n  }}\n}}\n'


def terraform_environment(endpoint: str, base: dict[str, str], cli_config: Path | None) -> dict[str, str]:
    """The caller's environment with AWS pointed at the local cloud and no real credential left in it."""
    env = {
        key: value
        for key, value in base.items()
        if key not in {"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_DEFAULT_PROFILE"}
    }
    env |= {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": FAKE_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_KEY,
        "AWS_EC2_METADATA_DISABLED": "true",
        "CHECKPOINT_DISABLE": "1",  # no version check against HashiCorp (no network; it costs a 14 s timeout)
    }
    if cli_config is not None:
        env["TF_CLI_CONFIG_FILE"] = str(cli_config)
    return env


def run_terraform(
    args: Sequence[str],
    *,
    endpoint: str = DEFAULT_ENDPOINT,
    cwd: Path | None = None,
    mirror: Path | None = None,
    env: dict[str, str] | None = None,
    echo: bool = True,
) -> TerraformRun:
    """``terraform *args`` against ``endpoint``; the override file exists only while it runs."""
    binary = terraform_binary()
    cwd = cwd or Path.cwd()
    module_dir = working_directory(args, cwd)
    if not module_dir.is_dir():
        raise TerraformError(f"{module_dir} is not a directory")
    override = module_dir / OVERRIDE_NAME
    aliases = provider_aliases(module_dir)
    found_mirror = find_mirror(mirror)
    with tempfile.TemporaryDirectory(prefix="alex-harness-tf-") as scratch:
        cli_config = None
        if found_mirror is not None:
            cli_config = Path(scratch) / "terraform.rc"
            cli_config.write_text(cli_config_text(found_mirror))
        if aliases:
            override.write_text(override_text(endpoint, aliases))
        environment = terraform_environment(endpoint, dict(env or os.environ), cli_config)
        try:
            run = _run([binary, *args], cwd, environment, echo)
            if found_mirror is not None and _mirror_missing_from_lock(args, run):
                # The lock file records the registry's checksums; an unpacked mirror only matches an h1 hash
                # of this platform, which `terraform providers lock -fs-mirror` adds (as Terraform advises).
                lock = _run(
                    [
                        binary,
                        f"-chdir={module_dir}",
                        "providers",
                        "lock",
                        f"-fs-mirror={found_mirror}",
                        f"-platform={_platform()}",
                    ],
                    cwd,
                    environment,
                    echo,
                )
                if lock.returncode == 0:
                    run = _run([binary, *args], cwd, environment, echo)
        finally:
            override.unlink(missing_ok=True)
    return run


def _run(command: list[str], cwd: Path, env: dict[str, str], echo: bool) -> TerraformRun:
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    lines = []
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)
        if echo:
            print(line, end="", flush=True)
    return TerraformRun(process.wait(), "".join(lines))


def _mirror_missing_from_lock(args: Sequence[str], run: TerraformRun) -> bool:
    """`init` refused the mirror's provider only because the lock file has no checksum for it."""
    return (
        run.returncode != 0
        and "init" in args
        and "doesn't match any of the" in run.output
        and "checksums previously recorded in the dependency lock file" in run.output
    )


def _platform() -> str:
    import platform

    machine = {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(platform.machine().lower(), "amd64")
    return f"{platform.system().lower()}_{machine}"
