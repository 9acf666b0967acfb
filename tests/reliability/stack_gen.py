"""A generated stack of every kind, for the reliability suites: workspaces, schemas, connectors, queues, inboxes,
hooks chained with ``run_after``, email templates and rules, with references between them.

``generate_stack(root, objects=150)`` writes ``root/rossum.yaml`` and one file per kind and returns the count of
objects per kind. Names are unique per kind (counting copies by name is meaningful), the stack name is
``reliability``. Documents are written as JSON (a subset of YAML).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

STACK = "reliability"
HOOK_SECRET_VARIABLE = "GEN_HOOK_SECRET"
"""The webhooks' signing secret comes from this environment variable."""

# Share of each kind in a stack (the rest is queues); a queue has at most one inbox.
_SHARES = {"Workspace": 0.06, "Schema": 0.06, "Connector": 0.04, "Inbox": 0.14, "Hook": 0.2, "EmailTemplate": 0.13,
           "Rule": 0.1}  # fmt: skip


def plan_counts(objects: int) -> Counter[str]:
    """How many objects of each kind a stack of ``objects`` objects holds (at least one of each)."""
    counts: Counter[str] = Counter({kind: max(1, round(objects * share)) for kind, share in _SHARES.items()})
    counts["Queue"] = max(1, objects - sum(counts.values()))
    counts["Inbox"] = min(counts["Inbox"], counts["Queue"])
    counts["Queue"] = objects - sum(v for k, v in counts.items() if k != "Queue")
    return counts


def generate_stack(root: Path, objects: int = 150) -> Counter[str]:
    """Write a stack of ``objects`` objects under ``root``; returns the number of objects per kind."""
    counts = plan_counts(objects)
    root.mkdir(parents=True, exist_ok=True)
    (root / "rossum.yaml").write_text(f"stack: {STACK}\n")
    docs: dict[str, list[dict[str, object]]] = {kind: [] for kind in counts}
    for i in range(counts["Workspace"]):
        docs["Workspace"].append({"kind": "Workspace", "key": f"ws-{i}", "name": f"Generated workspace {i}"})
    for i in range(counts["Schema"]):
        content = [
            {
                "category": "section",
                "id": "basics",
                "label": "Basics",
                "children": [
                    {"category": "datapoint", "id": "invoice_id", "label": "Invoice number", "type": "string"},
                    {"category": "datapoint", "id": "amount_total", "label": "Total", "type": "number"},
                    {"category": "datapoint", "id": f"extra_{i}", "label": f"Extra {i}", "type": "string"},
                ],
            }
        ]
        docs["Schema"].append({"kind": "Schema", "key": f"schema-{i}", "name": f"Generated schema {i}",
                               "content": content})  # fmt: skip
    for i in range(counts["Connector"]):
        docs["Connector"].append({"kind": "Connector", "key": f"conn-{i}", "name": f"Generated connector {i}",
                                  "service_url": f"https://connector.example.com/{i}"})  # fmt: skip
    queues = [f"q-{i}" for i in range(counts["Queue"])]
    for i, key in enumerate(queues):
        queue: dict[str, object] = {
            "kind": "Queue",
            "key": key,
            "name": f"Generated queue {i}",
            "workspace": f"ws-{i % counts['Workspace']}",
            "schema": f"schema-{i % counts['Schema']}",
            "automation_level": ("never", "confident", "always")[i % 3],
        }
        if i % 4 == 0:
            queue["connector"] = f"conn-{(i // 4) % counts['Connector']}"
        docs["Queue"].append(queue)
    for i in range(counts["Inbox"]):
        docs["Inbox"].append({"kind": "Inbox", "key": f"inbox-{i}", "name": f"Generated inbox {i}",
                              "queues": [queues[i]], "email_prefix": f"gen-inbox-{i}"})  # fmt: skip
    for i in range(counts["Hook"]):
        hook: dict[str, object] = {
            "kind": "Hook",
            "key": f"hook-{i}",
            "name": f"Generated hook {i}",
            "type": "webhook",
            "queues": [queues[i % len(queues)], queues[(i * 7 + 3) % len(queues)]],
            "events": ["annotation_status.changed"],
            "config": {"url": f"https://hooks.example.com/gen/{i}", "secret": f"${{env.{HOOK_SECRET_VARIABLE}}}"},
            "settings": {"n": i, "queue_id": f"${{ref.Queue.{queues[i % len(queues)]}.id}}"},
        }
        if i % 5:  # chains of five: hook-0 <- hook-1 <- ... <- hook-4, hook-5 <- ...
            hook["run_after"] = [f"hook-{i - 1}"]
        docs["Hook"].append(hook)
    for i in range(counts["EmailTemplate"]):
        docs["EmailTemplate"].append({"kind": "EmailTemplate", "key": f"tmpl-{i}", "name": f"Generated template {i}",
                                      "queue": queues[i % len(queues)], "type": "custom",
                                      "subject": f"Generated subject {i}", "message": f"<p>Message {i}</p>",
                                      "to": [{"email": "{{sender_email}}"}]})  # fmt: skip
    for i in range(counts["Rule"]):
        docs["Rule"].append({
            "kind": "Rule",
            "key": f"rule-{i}",
            "name": f"Generated rule {i}",
            "queues": [queues[i % len(queues)]],
            "trigger_condition": f"field.amount_total > {1000 + i}",
            "actions": [{"id": f"warn-{i}", "type": "show_message", "event": "validation",
                         "payload": {"type": "warning", "content": f"Above {1000 + i}", "schema_id": "amount_total"}}],
        })  # fmt: skip
    for kind, items in docs.items():
        (root / f"{kind.lower()}s.yaml").write_text("---\n".join(json.dumps(item, indent=1) + "\n" for item in items))
    return Counter({kind: len(items) for kind, items in docs.items()})
