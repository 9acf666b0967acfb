"""Document commands take --env NAME --manifests DIR: the environment's api_base_url and the credentials it names
(nothing else of the stack is read)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from rossum_iac.cli.main import main
from tests.e2e.e2e_helpers import Live, write_manifests


def test_env_gives_url_and_the_named_credentials(emulator: Any, tmp_path: Path) -> None:
    live = Live(emulator)
    org = live.get("auth/user")["organization"]
    workspace = live.client.request_json("POST", "workspaces", json={"name": "W", "organization": org})
    schema = live.client.request_json("POST", "schemas", json={"name": "S", "content": []})
    queue = live.client.request_json(
        "POST", "queues", json={"name": "Q", "workspace": workspace["url"], "schema": schema["url"]}
    )
    root = write_manifests(
        tmp_path / "m",
        {
            "rossum.yaml": "stack: s\nenvironments:\n  dev: {}\n",
            "environments/prod.yaml": f"api_base_url: {emulator.base_url}\ntoken_env: PROD_TOKEN\n",
            "broken.yaml": "kind: Nope\n",  # objects are not read: an invalid manifest does not matter here
        },
    )
    args = ["annotations", "list", "--queue", str(queue["id"]), "--env", "prod", "--manifests", str(root), "--json"]
    ok = CliRunner().invoke(main, args, env={"PROD_TOKEN": emulator.token, "ROSSUM_API_TOKEN": "wrong"})
    assert ok.exit_code == 0, ok.output
    missing = CliRunner().invoke(main, args, env={"ROSSUM_API_TOKEN": emulator.token})
    assert missing.exit_code == 1 and "PROD_TOKEN, which is not set" in missing.output
    unknown = CliRunner().invoke(main, [*args[:4], "--env", "nope", "--manifests", str(root)], env={})
    assert unknown.exit_code == 1 and "environment 'nope' is not defined" in unknown.output
    lonely = CliRunner().invoke(main, ["tasks", "show", "1", "--manifests", str(root)], env={})
    assert lonely.exit_code == 1 and "--manifests is only used together with --env" in lonely.output
    live.close()
