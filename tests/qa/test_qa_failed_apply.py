"""A failed apply leaves what the organization already had: replacements included."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from qa_helpers import cli, copy_examples

from rossum_iac.client import SyncRossumAPIClient, Token

TEMPLATE = "Ask the supplier for a corrected invoice"
INBOX = "EU invoices mailbox"


def live(emu: Any) -> dict[str, Any]:
    """Queue names by URL tail, and the inboxes / email templates named as in the example stack."""
    with SyncRossumAPIClient(emu.base_url, Token(emu.token), requests_per_second=0) as client:
        queues = {q["url"].split("/api/v1/")[1]: q["name"] for q in client.request_paginated("queues")}
        inboxes = [i for i in client.request_paginated("inboxes") if i["name"] == INBOX]
        templates = [t for t in client.request_paginated("email_templates") if t["name"] == TEMPLATE]
    return {
        "inboxes": [(i["id"], [queues[q.split("/api/v1/")[1]] for q in i["queues"]]) for i in inboxes],
        "templates": [(t["id"], queues[t["queue"].split("/api/v1/")[1]]) for t in templates],
    }


def test_a_replacement_whose_create_fails_keeps_the_old_object(emulator: Any, tmp_path: Path) -> None:
    root = copy_examples(tmp_path / "m")
    target = {"ROSSUM_API_TOKEN": emulator.token}
    base = ["--base-url", emulator.base_url]
    assert cli("apply", str(root), *base, "--auto-approve", env=target).exit_code == 0
    before = live(emulator)
    assert [q for _, q in before["inboxes"]] == [["Invoices EU"]] and [q for _, q in before["templates"]] == [
        "Invoices EU"
    ]

    # Move the inbox and the template to the US queue (the API cannot change that: they are replaced), with a value
    # the API refuses (values from the environment are not checked offline).
    inbox, template = root / "inboxes" / "invoices-eu.yaml", root / "email-templates" / "supplier-query.yaml"
    inbox.write_text(inbox.read_text().replace("queues: [invoices-eu]", "queues: [invoices-us]")
                     .replace("dmarc_check_action: accept", "dmarc_check_action: ${env.DMARC}"))
    template.write_text(template.read_text().replace("queue: invoices-eu", "queue: invoices-us")
                        .replace("type: custom", "type: ${env.TEMPLATE_TYPE}"))
    bad = {**target, "DMARC": "sometimes", "TEMPLATE_TYPE": "fancy"}
    result = cli("apply", str(root), *base, "--auto-approve", env=bad)
    assert result.exit_code == 1
    assert "Inbox/invoices-eu" in result.stdout and "EmailTemplate/supplier-query" in result.stdout
    assert live(emulator) == before  # both old objects are still there, untouched
    result = cli("plan", str(root), *base, env=bad)
    assert "Plan: 2 to add, 0 to change, 2 to destroy." in result.stdout, result.stdout  # still replacements
    # ...and the plan says in which order they are made (as Terraform's create_before_destroy shows it)
    assert "+/- create replacement and then destroy" in result.stdout
    assert "+/- Inbox/invoices-eu" in result.stdout and "+/- EmailTemplate/supplier-query" in result.stdout

    good = {**target, "DMARC": "accept", "TEMPLATE_TYPE": "custom"}
    plan = tmp_path / "plan.json"
    assert cli("plan", str(root), *base, "--out", str(plan), env=good).exit_code == 0
    assert [a["actions"] for a in json.loads(plan.read_text())["resource_changes"] if a["actions"] != ["no-op"]] == [
        ["create", "delete"], ["create", "delete"]
    ]
    result = cli("apply", str(plan), *base, env=good)
    assert result.exit_code == 0 and "2 added, 0 changed, 2 destroyed" in result.stdout, result.output
    after = live(emulator)
    assert [q for _, q in after["inboxes"]] == [["Invoices US"]] and [q for _, q in after["templates"]] == [
        "Invoices US"
    ]
    assert {i for i, _ in after["inboxes"]}.isdisjoint(i for i, _ in before["inboxes"])
    result = cli("plan", str(root), *base, "--detailed-exitcode", env=good)
    assert result.exit_code == 0 and "No changes." in result.stdout, result.stdout


FIXED_ADDRESS_STACK = {
    "rossum.yaml": "stack: qa-inbox\n",
    "all.yaml": """kind: Workspace
key: w
name: W
---
kind: Schema
key: s
name: S
content:
  - {category: section, id: sec, label: Sec, children: [{category: datapoint, id: a, label: A, type: string}]}
---
kind: Queue
key: a
name: Queue A
workspace: w
schema: s
---
kind: Queue
key: b
name: Queue B
workspace: w
schema: s
---
kind: Inbox
key: mail
name: Mail
queues: [QUEUE]
email: fixed-address@emulator.rossum.local
dmarc_check_action: ${env.DMARC}
""",
}


def test_an_inbox_with_a_fixed_address_is_replaced_delete_first_and_a_failure_says_so(
    emulator: Any, tmp_path: Path
) -> None:
    """Emails are unique, so the old inbox must go before its replacement exists; if the create then fails, the
    result must not hide that the old inbox was deleted."""
    root = tmp_path / "m"
    root.mkdir()
    (root / "rossum.yaml").write_text(FIXED_ADDRESS_STACK["rossum.yaml"])
    manifest = root / "all.yaml"
    manifest.write_text(FIXED_ADDRESS_STACK["all.yaml"].replace("QUEUE", "a"))
    target = {"ROSSUM_API_TOKEN": emulator.token, "DMARC": "accept"}
    base = ["--base-url", emulator.base_url]
    result = cli("apply", str(root), *base, "--auto-approve", env=target)
    assert result.exit_code == 0, result.output
    manifest.write_text(FIXED_ADDRESS_STACK["all.yaml"].replace("QUEUE", "b"))
    result = cli("plan", str(root), *base, env=target)
    assert "-/+ destroy and then create replacement" in result.stdout and "-/+ Inbox/mail" in result.stdout
    result = cli("apply", str(root), *base, "--auto-approve", env={**target, "DMARC": "sometimes"})
    assert result.exit_code == 1
    line = next(line for line in result.stdout.splitlines() if line.startswith("Inbox/mail"))
    assert "failed" in line and "was deleted, but creating its replacement failed" in line, line
    result = cli("apply", str(root), *base, "--auto-approve", env=target)
    assert result.exit_code == 0 and "1 added" in result.stdout, result.output
    result = cli("plan", str(root), *base, "--detailed-exitcode", env=target)
    assert result.exit_code == 0, result.output
