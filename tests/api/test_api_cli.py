"""``alex-harness token`` and ``alex-harness up`` serving Alex's API, as a developer uses them."""

from __future__ import annotations

import re
import subprocess
import sys

import httpx
import pytest

from harness.alexkit.cli import main
from harness.alexkit.pytest_plugin import AlexApi
from tests.cli_support import free_port, running_up


def test_token_command_prints_a_jwt_the_api_accepts(api: AlexApi, capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    """``alex-harness token --user U --state-dir DIR`` prints only a token, signed with the running issuer's
    keys, that the API accepts as user U (with --name as the display name); an empty state dir is a clear
    error (exit 2), and so is a non-positive --ttl."""
    assert (
        main(["token", "--user", "user_cli", "--name", "Cli User", "--ttl", "120", "--state-dir", str(api.issuer.state_dir)]) == 0
    )
    token = capsys.readouterr().out.strip()
    assert re.fullmatch(r"[\w-]+\.[\w-]+\.[\w-]+", token)
    with httpx.Client(base_url=api.url, headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
        user = client.get("/api/user").json()
    assert user["clerk_user_id"] == "user_cli" and user["display_name"] == "Cli User"

    assert main(["token", "--state-dir", str(tmp_path / "nothing-here")]) == 2
    assert "no issuer state" in capsys.readouterr().err
    assert main(["token", "--ttl", "0", "--state-dir", str(api.issuer.state_dir)]) == 2
    assert "--ttl" in capsys.readouterr().err


@pytest.mark.slow
def test_up_serves_the_api_and_prints_a_working_curl(tmp_path) -> None:
    """``alex-harness up`` also starts the local issuer and the API: it prints the API URL and a curl with a
    token; that token and one from ``alex-harness token`` work against the printed URL; Ctrl-C stops it all."""
    with running_up(tmp_path, "--port", str(free_port())) as up:
        output, env, state = up.output, up.env, tmp_path / "state"
        api_url = re.search(r"^export ALEX_API_URL=(\S+)$", output, re.M).group(1)  # type: ignore[union-attr]
        assert re.search(rf"# Alex API on {re.escape(api_url)} ", output), output
        printed = re.search(r'curl -H "Authorization: Bearer ([\w.-]+)" (\S+)/api/user', output)
        assert printed is not None and printed.group(2) == api_url, output
        assert "alex-harness token --user" in output

        assert httpx.get(f"{api_url}/health", timeout=10).json()["status"] == "healthy"
        me = httpx.get(f"{api_url}/api/user", headers={"Authorization": f"Bearer {printed.group(1)}"}, timeout=10)
        assert me.status_code == 200 and me.json()["clerk_user_id"] == "user_local_dev"
        minted = subprocess.run(
            [sys.executable, "-m", "harness.alexkit.cli", "token", "--user", "user_other", "--state-dir", str(state)],
            capture_output=True,
            text=True,
            timeout=30,
            env=env,
        )
        assert minted.returncode == 0, minted.stderr
        headers = {"Authorization": f"Bearer {minted.stdout.strip()}"}
        created = httpx.post(f"{api_url}/api/accounts", json={"account_name": "From curl"}, headers=headers, timeout=10)
        assert created.status_code == 201, created.text
        assert httpx.get(f"{api_url}/api/accounts", headers=headers, timeout=10).json()[0]["account_name"] == "From curl"
        assert httpx.get(f"{api_url}/api/accounts", timeout=10).status_code == 401

        returncode, rest = up.ctrl_c()
        assert returncode == 0, rest
        assert "local cloud stopped" in rest
