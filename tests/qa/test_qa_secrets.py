"""No secret value in any output, plan file or error, on success and failure paths, even with --debug."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qa_helpers import cli, copy_examples

PASSWORD = "emu-admin-pw-4c1d93"
WEBHOOK_OLD, WEBHOOK_NEW = "hook-secret-old-2b7e61", "hook-secret-new-9a0f33"
ERP_TOKEN = "erp-connector-token-5e8c2a"
BAD_LEVEL = "level-as-secret-7d4b10"


def test_secrets_never_appear_anywhere(emulator_factory: Any, tmp_path: Path) -> None:
    emu = emulator_factory(password=PASSWORD)
    root = copy_examples(tmp_path / "m")
    connector = root / "connectors" / "erp.yaml"
    connector.write_text(connector.read_text() + "authorization_token: ${env.ERP_TOKEN}\n")
    login = {"ROSSUM_USERNAME": emu.username, "ROSSUM_PASSWORD": PASSWORD, "ERP_TOKEN": ERP_TOKEN}
    base = ["--base-url", emu.base_url]
    outputs: list[str] = []

    def run(*args: str, secret: str = WEBHOOK_OLD, expect: int | None = 0, **env: str) -> Any:
        result = cli("--debug", *args, env={**login, "AP_WEBHOOK_SECRET": secret, **env})
        outputs.extend([result.stdout, result.stderr])
        if expect is not None:
            assert result.exit_code == expect, result.output
        return result

    plan1, plan2 = tmp_path / "p1.json", tmp_path / "p2.json"
    run("validate", str(root), "--json")
    run("plan", str(root), *base, "--json", "--out", str(plan1))
    run("apply", str(plan1), *base, "--json")
    run("drift", str(root), *base, "--json", "--include-unmanaged")
    # rotation: detected, planned as "(sensitive)", written
    assert "(sensitive)" in run("plan", str(root), *base, "--out", str(plan2), secret=WEBHOOK_NEW).stdout
    run("apply", str(plan2), *base, secret=WEBHOOK_NEW)
    run("drift", str(root), *base, secret=WEBHOOK_NEW)
    run("drift", str(root), *base, "--json", secret=WEBHOOK_OLD, expect=2)  # a changed secret is drift
    # failures: a wrong password (traceback with --debug), a value the server rejects and echoes back
    run("plan", str(root), *base, expect=1, ROSSUM_PASSWORD="wrong-" + PASSWORD)
    queue = root / "queues" / "credit-notes.yaml"
    queue.write_text(queue.read_text().replace("automation_level: never", "automation_level: ${env.LEVEL}"))
    failed = run("apply", str(root), *base, "--auto-approve", secret=WEBHOOK_NEW, expect=1, LEVEL=BAD_LEVEL)
    assert "Queue/credit-notes" in failed.stdout and "failed" in failed.stdout
    run("import", "Queue/credit-notes", "1", str(root), *base, expect=1, LEVEL=BAD_LEVEL)

    everything = "\n".join(outputs) + plan1.read_text() + plan2.read_text()
    assert "Traceback" in everything  # --debug did show tracebacks
    for value in (PASSWORD, WEBHOOK_OLD, WEBHOOK_NEW, ERP_TOKEN, BAD_LEVEL, emu.token):
        assert value not in everything, f"secret value {value[:6]}... was printed or written"
