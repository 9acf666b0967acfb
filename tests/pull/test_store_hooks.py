"""Hooks from Rossum Store templates: declared by template name, created through hooks/create, compared only on
what the API shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.e2e_helpers import BASE_MANIFESTS, Cli, Live, write_manifests

STORE_HOOK = """
    kind: Hook
    key: notifier
    name: Store notifier
    hook_template: Webhook notifier (emulator)
    queues: [main]
    events: [annotation_status.changed]
    config:
      timeout_s: 15
    settings:
      channel: ap
    """


def test_store_hook_is_created_from_its_template_and_plans_empty(emulator: Any, tmp_path: Path) -> None:
    root = write_manifests(tmp_path / "m", {**BASE_MANIFESTS, "hook.yaml": STORE_HOOK})
    cli = Cli(emulator)
    applied = cli("apply", str(root), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert any(r[0] == "POST" and r[1].endswith("/hooks/create") for r in emulator.request_log)
    live = Live(emulator)
    hook = live.find("hooks", "Store notifier")
    template = live.find("hook_templates", "Webhook notifier (emulator)")
    assert hook["hook_template"] == template["url"]
    assert hook["extension_source"] == "rossum_store"
    assert hook["config"]["private"] is True and "url" not in hook["config"]  # the API hides it
    assert hook["config"]["timeout_s"] == 15 and hook["settings"] == {"channel": "ap"}
    assert hook["metadata"]["rossum_iac"]["key"] == "notifier"
    plan = cli("plan", str(root), "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    live.patch(f"hooks/{hook['id']}", {"config": {**hook["config"], "timeout_s": 25}})
    drift = cli("drift", str(root))
    assert drift.exit_code == 2 and "config.timeout_s" in drift.output
    live.close()


def test_unknown_template_name_is_a_plan_error_listing_the_templates(emulator: Any, tmp_path: Path) -> None:
    hook = STORE_HOOK.replace("Webhook notifier (emulator)", "Webhook notfier")
    root = write_manifests(tmp_path / "m", {**BASE_MANIFESTS, "hook.yaml": hook})
    result = Cli(emulator)("plan", str(root))
    assert result.exit_code == 1
    assert "hook_template 'Webhook notfier' is not in the organization's hook_templates" in result.output
    assert "Webhook notifier (emulator)" in result.output
