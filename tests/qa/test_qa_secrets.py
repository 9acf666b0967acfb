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


TOKEN = "emu-api-token-8e21f0c4b7d2"
URL_PASSWORD = "url-password-6a1f0e93"
HOOK_API_KEY = "hook-api-key-3c9d71e5"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_secrets_never_appear_in_pull_import_documents_annotations_or_a_url(
    emulator_factory: Any, tmp_path: Path
) -> None:
    """The commands the test above leaves out, with a token login: apply of a directory, plan, pull, pull --adopt,
    import, every documents/annotations command used, and a base URL carrying a password; success and failure
    paths, all with --debug. Everything printed and every file written is searched for every secret value."""
    emu = emulator_factory(token=TOKEN, password=PASSWORD)
    root = copy_examples(tmp_path / "m")
    connector = root / "connectors" / "erp.yaml"
    connector.write_text(connector.read_text() + "authorization_token: ${env.ERP_TOKEN}\n")
    hook = root / "hooks" / "erp-notify.yaml"
    hook.write_text(hook.read_text() + "secrets:\n  api_key: ${env.HOOK_API_KEY}\n")
    (root / "extra.yaml").write_text("kind: Workspace\nkey: extra\nname: Made by hand\n")
    env = {"ROSSUM_API_TOKEN": TOKEN, "ERP_TOKEN": ERP_TOKEN, "HOOK_API_KEY": HOOK_API_KEY,
           "AP_WEBHOOK_SECRET": WEBHOOK_OLD}  # fmt: skip
    base = ["--base-url", emu.base_url]
    outputs: list[str] = []

    def run(*args: str, expect: int | None = 0, **extra: str) -> Any:
        result = cli("--debug", *args, env={**env, **extra})
        outputs.extend([result.stdout, result.stderr])
        if expect is not None:
            assert result.exit_code == expect, f"{args}: {result.output[-3000:]}"
        return result

    from tests.e2e.e2e_helpers import Live

    live = Live(emu)
    try:
        hand_made = live.client.request_json("POST", "workspaces", json={"name": "Made by hand"})
        run("apply", str(root), *base, "--auto-approve", "--json", "--target", "Hook/erp-notify",
            "--target", "Connector/erp-export")  # fmt: skip
        run("import", "Workspace/extra", str(hand_made["id"]), str(root), *base)
        run("apply", str(root), *base, "--auto-approve")
        run("plan", str(root), *base, "--detailed-exitcode")
        run("drift", str(root), *base)
        # made by hand (pull leaves out what a stack owns): a connector and a webhook with their secrets
        live.client.request_json("POST", "connectors", json={"name": "Hand connector", "authorization_token": ERP_TOKEN,
                                                             "service_url": "https://c.example.com/x"})  # fmt: skip
        live.client.request_json("POST", "hooks", json={
            "name": "Hand hook", "type": "webhook", "events": ["annotation_status.changed"],
            "config": {"url": "https://h.example.com/x", "secret": WEBHOOK_NEW}, "secrets": {"k": HOOK_API_KEY}})
        run("pull", str(tmp_path / "pulled"), *base, "--json")
        adopted = run("pull", str(tmp_path / "adopted"), *base, "--adopt", "--auto-approve", "--stack", "adopted")
        assert "HOOK_HAND_HOOK_SECRET" in adopted.output and "2 to adopt" in adopted.output
        queue = live.find("queues", "Invoices EU")
        (tmp_path / "invoice.pdf").write_bytes(PDF)
        uploaded = run("documents", "upload", str(tmp_path / "invoice.pdf"), "--queue", str(queue["id"]), *base,
                       "--wait", "--timeout", "30", "--json")  # fmt: skip
        [annotation] = live.list("annotations", queue=queue["id"])
        document = annotation["document"].rstrip("/").rsplit("/", 1)[1]
        aid = str(annotation["id"])
        run("documents", "list", "--queue", str(queue["id"]), *base)
        run("documents", "show", document, *base)
        run("documents", "download", document, "-o", str(tmp_path / "copy.pdf"), *base)
        run("annotations", "list", "--queue", str(queue["id"]), *base, "--json")
        run("annotations", "show", aid, *base)
        run("annotations", "update", aid, "--data", '{"metadata": {"note": "x"}}', *base)
        run("annotations", "export", "--queue", str(queue["id"]), "--format", "json", "-o",
            str(tmp_path / "export.json"), *base)  # fmt: skip
        # failures: an unknown annotation, a queue that does not exist, a wrong token, a password in the URL
        run("annotations", "show", "999999999", *base, expect=1)
        run("documents", "upload", str(tmp_path / "invoice.pdf"), "--queue", "999999999", *base, expect=1)
        run("annotations", "list", "--queue", str(queue["id"]), *base, expect=1, ROSSUM_API_TOKEN="wrong-" + TOKEN)
        run("plan", str(root), *base, expect=1, ROSSUM_API_TOKEN="wrong-" + TOKEN)
        with_password = emu.base_url.replace("http://", f"http://admin:{URL_PASSWORD}@")
        run("plan", str(root), "--base-url", with_password, expect=1)
        run("documents", "list", "--queue", str(queue["id"]), "--base-url", with_password, expect=1)
        run("pull", str(tmp_path / "p3"), "--base-url", with_password, expect=1)
    finally:
        live.close()
    assert uploaded.exit_code == 0
    written = [p for p in tmp_path.rglob("*") if p.is_file() and not p.is_symlink() and not p.is_relative_to(root)]
    pulled = [p for p in written if p.suffix in (".yaml", ".yml", ".json", ".py", ".html", ".md", ".txt")]
    pulled_text = "".join(p.read_text() for p in pulled if "pulled" in p.parts)
    assert "Hand hook" in pulled_text and "Hand connector" in pulled_text  # the pull did write them
    everything = "\n".join(outputs) + "\n".join(p.read_text(errors="replace") for p in pulled)
    assert "Traceback" in everything  # --debug did show tracebacks
    for value in (TOKEN, URL_PASSWORD, PASSWORD, WEBHOOK_OLD, WEBHOOK_NEW, ERP_TOKEN, HOOK_API_KEY):
        assert value not in everything, f"secret value {value[:6]}... was printed or written"
