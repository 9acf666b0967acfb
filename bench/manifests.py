"""Benchmark of loading and validating a 1,000-object manifest directory (no network).

    python bench/manifests.py [--objects 1000] [--runs 7] [--out bench/results/manifests.json]

A realistic stack is generated in a temporary directory: the eight kinds in the same mix as bench/plan.py, one
file per object or a few objects per file, schema content in JSON files (~20 fields with a line-item table each),
function code in .py files, email bodies in .html files, variables, ${env...} secrets and ${ref...} templates.
Then ``load`` (parse, includes, placeholders, JSON Schema, content rules, cross-object checks: everything
``rossum-iac validate`` does) runs several times in this process; the median is the figure. For comparison, one
run with every file read by ruamel.yaml's pure-Python round-trip loader (instead of the C parser's events) is
timed as well, and the whole ``rossum-iac validate`` command in a fresh interpreter (best of 3).

Results are printed and written as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rossum_iac.manifest import yaml_io  # noqa: E402
from rossum_iac.manifest.loader import load  # noqa: E402

MIX = {
    "Workspace": 20,
    "Schema": 100,
    "Connector": 30,
    "Queue": 250,
    "Inbox": 150,
    "Hook": 250,
    "EmailTemplate": 100,
    "Rule": 100,
}
ENVIRON = {"BENCH_HOOK_SECRET": "bench-secret", "BENCH_CONNECTOR_TOKEN": "bench-token"}

STACK = """\
stack: bench
variables:
  automation_level: confident
environments:
  dev:
    variables:
      threshold: 1000
      hook_base: https://hooks.example.com/dev
"""

CODE = '''\
"""Generated function {i}."""


def rossum_hook_request_handler(payload):
    settings = payload.get("settings", {{}})
    messages = []
    for node in payload["annotation"]["content"]:
        if node.get("schema_id") == settings.get("field"):
            messages.append({{"type": "info", "content": "seen", "id": node["id"]}})
    return {{"messages": messages, "operations": []}}
'''


def _content(i: int) -> list[dict[str, Any]]:
    def dp(node_id: str, kind: str = "string", **extra: Any) -> dict[str, Any]:
        return {
            "category": "datapoint",
            "id": node_id,
            "label": node_id.replace("_", " ").title(),
            "type": kind,
            "rir_field_names": [node_id],
            "constraints": {"required": False},
            **extra,
        }

    header = [dp(f"field_{i}_{n}", "number" if n % 3 == 0 else "string") for n in range(12)]
    header.append(dp("doc_type", "enum", options=[{"value": v, "label": v.title()} for v in ("invoice", "credit")]))
    table = {
        "category": "multivalue",
        "id": "line_items",
        "label": "Line items",
        "children": {
            "category": "tuple",
            "id": "line_item",
            "label": "Line item",
            "children": [dp(f"item_{n}", "number" if n else "string", width=10) for n in range(6)],
        },
    }
    return [
        {"category": "section", "id": "header", "label": "Header", "children": header},
        {"category": "section", "id": "items", "label": "Items", "children": [table]},
    ]


def generate(root: Path, total: int, max_rules: int | None = None) -> int:
    """Write a stack of ``total`` objects under ``root``; returns the number of lines of YAML written.

    ``max_rules``: at most this many rules, the rest of their share as hooks (an organization's metadata, which
    records every managed rule, holds about 150-200 of them: docs/engine.md)."""
    scale = total / sum(MIX.values())
    counts = {kind: max(1, round(n * scale)) for kind, n in MIX.items()}
    if max_rules is not None and counts["Rule"] > max_rules:
        counts["Hook"] += counts["Rule"] - max_rules
        counts["Rule"] = max_rules
    root.mkdir(parents=True)
    (root / "rossum.yaml").write_text(STACK)
    lines = STACK.count("\n")

    def write(rel: str, text: str) -> None:
        nonlocal lines
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        if rel.endswith(".yaml"):
            lines += text.count("\n")

    ws, sc, cn, qu = (counts[k] for k in ("Workspace", "Schema", "Connector", "Queue"))
    write("workspaces.yaml", "---\n".join(f"kind: Workspace\nkey: ws-{i}\nname: Workspace {i}\n" for i in range(ws)))
    for i in range(sc):
        write(
            f"schemas/schema-{i}.yaml",
            f"kind: Schema\nkey: schema-{i}\nname: Schema {i}\ncontent: {{file: schema-{i}.json}}\n",
        )
        write(f"schemas/schema-{i}.json", json.dumps(_content(i), indent=2))
    for i in range(cn):
        write(
            f"connectors/connector-{i}.yaml",
            f"kind: Connector\nkey: connector-{i}\nname: Connector {i}\n"
            f"service_url: https://connector.example.com/{i}\nauthorization_token: ${{env.BENCH_CONNECTOR_TOKEN}}\n"
            "asynchronous: true\n",
        )
    for w in range(ws):
        docs = []
        for i in range(w, qu, ws):
            docs.append(
                f"kind: Queue\nkey: queue-{i}\nname: Queue {i}\nworkspace: ws-{w}\nschema: schema-{i % sc}\n"
                + (f"connector: connector-{i % cn}\n" if i % 4 == 0 else "")
                + "locale: en_GB\nautomation_enabled: true\nautomation_level: ${var.automation_level}\n"
                "default_score_threshold: 0.9\nsession_timeout: '01:00:00'\nsettings:\n"
                "  accepted_mime_types: [application/pdf, image/*]\n  columns:\n    - schema_id: doc_type\n"
                f"metadata:\n  team: ap-{w}\n"
            )
        write(f"queues/ws-{w}.yaml", "---\n".join(docs))
    for i in range(counts["Inbox"]):
        write(
            f"inboxes/inbox-{i}.yaml",
            f"kind: Inbox\nkey: inbox-{i}\nname: Inbox {i}\nqueues: [queue-{i}]\n"
            f"email_prefix: bench-{i}\nfilters:\n  allowed_senders: ['*@suppliers.example.com']\n",
        )
    for i in range(counts["Hook"]):
        queues = f"[queue-{i % qu}, queue-{(i + 1) % qu}]"
        after = f"run_after: [hook-{i - 1}]\n" if i % 5 else ""
        if i % 2:
            write(
                f"hooks/hook-{i}.yaml",
                f"kind: Hook\nkey: hook-{i}\nname: Hook {i}\ntype: function\n"
                f"queues: {queues}\n{after}events: [annotation_content.initialize]\nconfig:\n"
                f"  runtime: python3.12\n  code: {{file: hook_{i}.py}}\nsettings:\n"
                f"  field: doc_type\n  target_queue: ${{ref.Queue.queue-{i % qu}.id}}\n",
            )
            write(f"hooks/hook_{i}.py", CODE.format(i=i))
        else:
            write(
                f"hooks/hook-{i}.yaml",
                f"kind: Hook\nkey: hook-{i}\nname: Hook {i}\ntype: webhook\n"
                f"queues: {queues}\n{after}events: [annotation_status.changed]\nconfig:\n"
                f"  url: ${{var.hook_base}}/{i}\n  secret: ${{env.BENCH_HOOK_SECRET}}\n  timeout_s: 30\n",
            )
    for i in range(counts["EmailTemplate"]):
        write(
            f"email/template-{i}.yaml",
            f"kind: EmailTemplate\nkey: template-{i}\nname: Template {i}\n"
            f"queue: queue-{i % qu}\ntype: custom\nsubject: 'Re: {{{{ parent_email_subject }}}}'\n"
            f"message: {{file: template-{i}.html}}\nto:\n  - email: '{{{{sender_email}}}}'\n",
        )
        write(f"email/template-{i}.html", f"<p>Dear sender,</p><p>Template {i}: {{{{ document_list }}}}</p>\n")
    for i in range(counts["Rule"]):
        field = f"field_{(i % qu) % sc}_0"  # a datapoint of the schema of the rule's queue
        write(
            f"rules/rule-{i}.yaml",
            f"kind: Rule\nkey: rule-{i}\nname: Rule {i}\nqueues: [queue-{i % qu}]\n"
            f"trigger_condition: field.{field} > ${{var.threshold}}\nactions:\n"
            f"  - id: warn-{i}\n    type: show_message\n    event: validation\n"
            f"    payload: {{type: warning, content: Above the threshold, schema_id: {field}}}\n",
        )
    return lines


def _time_load(root: Path) -> tuple[float, Any, float]:
    """Wall seconds, the result, and CPU seconds of this process (less sensitive to a busy machine)."""
    cpu = time.process_time()
    start = time.perf_counter()
    result = load(root, "dev", ENVIRON)
    return time.perf_counter() - start, result, time.process_time() - cpu


def _time_cli(root: Path) -> float:
    """Wall time of the whole command in a fresh interpreter (best of 3)."""
    code = "import sys; from rossum_iac.cli.main import main; sys.exit(main())"
    env = {**os.environ, **ENVIRON}
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", code, "validate", str(root), "--env", "dev"],
            env=env,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        best = min(best, time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"rossum-iac validate failed: {done.stdout}{done.stderr}")
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "manifests.json")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "stack"
        yaml_lines = generate(root, args.objects)
        first, result, _ = _time_load(root)
        if result.errors:
            for error in result.errors[:20]:
                print(error, file=sys.stderr)
            raise SystemExit("the generated stack does not validate")
        assert result.stack is not None
        objects = len(result.stack.objects)
        yaml_files = len(result.files)
        all_files = sum(1 for p in root.rglob("*") if p.is_file())
        fallbacks = 0
        for path in result.files:
            try:
                yaml_io._parse_events(path.read_text())
            except yaml_io._Fallback:
                fallbacks += 1
        runs = [_time_load(root) for _ in range(args.runs)]
        times = [run[0] for run in runs]
        cpu_times = [run[2] for run in runs]

        real_parse = yaml_io._parse_events

        def declined(text: str) -> Any:
            raise yaml_io._Fallback("benchmark: ruamel.yaml round-trip loader only")

        yaml_io._parse_events = declined
        try:
            ruamel_only, check, _ = _time_load(root)
        finally:
            yaml_io._parse_events = real_parse
        assert not check.errors
        cli = _time_cli(root)

    median = statistics.median(times)
    report = {
        "benchmark": "manifests",
        "command": "python bench/manifests.py " + " ".join(sys.argv[1:]),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_1min": round(os.getloadavg()[0], 2),
        },
        "what": "load + validate (rossum_iac.manifest.loader.load, env dev): parse, includes, placeholders, "
        "JSON Schema, schema content rules, cross-object checks",
        "yaml_parser": "libyaml events (ruamel.yaml.clib)" if yaml_io.CParser is not None else "pure Python",
        "objects": objects,
        "yaml_files": yaml_files,
        "files_including_includes": all_files,
        "yaml_lines": yaml_lines,
        "files_parsed_by_ruamel_fallback": fallbacks,
        "runs": args.runs,
        "seconds_median": round(median, 4),
        "seconds_min": round(min(times), 4),
        "seconds_max": round(max(times), 4),
        "seconds_first_run": round(first, 4),
        "cpu_seconds_median": round(statistics.median(cpu_times), 4),
        "objects_per_second": round(objects / median),
        "seconds_with_ruamel_only": round(ruamel_only, 4),
        "cli_validate_seconds": round(cli, 4),
        "cli_validate_includes": "interpreter start, imports and output of `rossum-iac validate DIR --env dev`",
        "target": "well under 1 s for 1,000 objects",
    }
    print(json.dumps(report, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
