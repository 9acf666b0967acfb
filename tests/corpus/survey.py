"""Which checks refuse real configuration? Runs every corpus object through the validator and the emulator.

    python tests/corpus/survey.py [--kind hook] [--source deployment-manager] [--output FILE] [--no-write]

For each object of the corpus (``corpus.iter_objects()``):

(a) **validator**: the object becomes one manifest document the simple way a ``pull`` might write it (see
    ``to_manifest``), in a temporary stack directory together with stub objects that its references point to;
    ``rossum_iac.manifest.load`` validates the directory. Every error reported *in the object's own file* is a
    refusal; errors in the stubs are listed separately (they would be a bug of this script).
(b) **emulator**: the same declared fields are POSTed to a local emulator (``serve_in_thread``, ":memory:"),
    with references pointing to stub objects created there first. A non-2xx answer is a refusal. When the
    object is accepted, every declared top-level field whose value comes back different is reported as
    "not stored as sent".

Refusals are grouped by reason (the message with names, numbers and quoted values generalised) with counts and
example files; the table is printed and written to ``survey-results.md`` beside this script. Nothing here touches
anything but 127.0.0.1: URLs inside the objects are data and are never contacted.

Conversion (``to_manifest``), deliberately simple so that the report shows what a naive pull would hit:

* ``kind``: the manifest kind name (``email_template`` -> ``EmailTemplate``; kinds without a manifest kind keep a
  CamelCase name so the validator says so); ``key``: the object's name slugified (``obj`` when empty).
* Dropped everywhere (computed by the API): ``id``, ``url``, ``counts``, ``status``, ``organization``,
  ``created_at``, ``created_by``, ``creator``, ``modified_at``, ``modified_by``.
* Dropped as written from the other side of a link (docs/manifests.md, References): ``Workspace.queues``,
  ``Schema.queues``, ``Connector.queues``, ``Queue.hooks``, ``Queue.webhooks``, ``Queue.inbox``.
* Reference fields whose URLs become stub keys: ``Queue.workspace/schema/connector``, ``Hook.queues/run_after``,
  ``Inbox.queues``, ``EmailTemplate.queue``, ``Rule.queues``. Any other URL (``hook_template``, ``token_owner``,
  ``Queue.users``, ``Rule.schema``...) is kept as found.
* Everything else is kept exactly as found, including fields the manifest format does not know.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import re
import subprocess
import sys
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import CORPUS_DIR, CorpusObject, iter_objects

RESULTS_FILE = CORPUS_DIR / "survey-results.md"

MANIFEST_KIND = {
    "workspace": "Workspace",
    "schema": "Schema",
    "connector": "Connector",
    "queue": "Queue",
    "inbox": "Inbox",
    "hook": "Hook",
    "email_template": "EmailTemplate",
    "rule": "Rule",
}
COLLECTION = {
    "workspace": "workspaces",
    "schema": "schemas",
    "connector": "connectors",
    "queue": "queues",
    "inbox": "inboxes",
    "hook": "hooks",
    "email_template": "email_templates",
    "rule": "rules",
    "label": "labels",
    "trigger": "triggers",
    "user": "users",
    "organization": "organizations",
    "hook_template": "hook_templates",
    "dedicated_engine": "dedicated_engines",
    "generic_engine": "generic_engines",
}
COMPUTED = {
    "id",
    "url",
    "counts",
    "status",
    "organization",
    "created_at",
    "created_by",
    "creator",
    "modified_at",
    "modified_by",
}
OTHER_SIDE = {
    "workspace": {"queues"},
    "schema": {"queues"},
    "connector": {"queues"},
    "queue": {"hooks", "webhooks", "inbox"},
}
# kind -> field -> (target kind, is a list)
REFERENCES: dict[str, dict[str, tuple[str, bool]]] = {
    "queue": {"workspace": ("workspace", False), "schema": ("schema", False), "connector": ("connector", False)},
    "hook": {"queues": ("queue", True), "run_after": ("hook", True)},
    "inbox": {"queues": ("queue", True)},
    "email_template": {"queue": ("queue", False)},
    "rule": {"queues": ("queue", True)},
}
# References only the emulator step maps (the manifest format has no such kind or field).
API_ONLY_REFERENCES: dict[str, dict[str, tuple[str, bool]]] = {
    "rule": {"schema": ("schema", False)},
    "trigger": {"queue": ("queue", False)},
    "user": {"queues": ("queue", True)},
}
NOT_DROPPABLE = {"name", "type", "content", "queue", "queues", "username", "config", "events", "schema", "workspace"}
"""Fields the retry never leaves out: without them the object would be a different object."""
STUB_KEY = {
    "workspace": "stub-workspace",
    "schema": "stub-schema",
    "connector": "stub-connector",
    "queue": "stub-queue",
    "hook": "stub-hook",
}
STUB_SCHEMA_CONTENT = [
    {
        "category": "section",
        "id": "stub_section",
        "label": "Stub",
        "children": [{"category": "datapoint", "id": "stub_field", "label": "Stub field", "type": "string"}],
    }
]


def key_for(name: Any) -> str:
    text = unicodedata.normalize("NFKD", str(name or "")).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-_")
    return text[:100].strip("-_") or "obj"


def declared_fields(obj: CorpusObject) -> dict[str, Any]:
    """The object's fields a manifest would declare (before references are mapped)."""
    drop = COMPUTED | OTHER_SIDE.get(obj.kind, set())
    return {k: v for k, v in obj.data.items() if k not in drop}


def _map_refs(kind: str, fields: dict[str, Any], target: dict[str, str]) -> dict[str, Any]:
    """Reference fields with every non-null value replaced by ``target[kind of the reference]``.

    For list references every distinct URL maps to a distinct stub (``target`` holds the first; later ones get a
    numbered suffix via ``_nth``).
    """
    out = dict(fields)
    for name, (ref_kind, is_list) in REFERENCES.get(kind, {}).items():
        if name not in out or out[name] is None:
            continue
        value = out[name]
        if is_list and isinstance(value, list):
            out[name] = [_nth(target[ref_kind], i) for i in range(len(value))]
        elif not is_list and isinstance(value, str):
            out[name] = target[ref_kind]
    return out


def _nth(base: str, i: int) -> str:
    return base if i == 0 else f"{base}-{i + 1}"


def to_manifest(obj: CorpusObject) -> dict[str, Any]:
    kind_name = MANIFEST_KIND.get(obj.kind) or "".join(part.title() for part in obj.kind.split("_"))
    body = _map_refs(obj.kind, declared_fields(obj), STUB_KEY)
    return {"kind": kind_name, "key": key_for(obj.data.get("name")), **body}


def stub_documents(manifest: dict[str, Any], obj: CorpusObject) -> list[dict[str, Any]]:
    """Stub documents for every key the manifest refers to (plus what those stubs need)."""
    needed: dict[str, int] = defaultdict(int)  # ref kind -> how many distinct stubs
    for name, (ref_kind, is_list) in REFERENCES.get(obj.kind, {}).items():
        value = manifest.get(name)
        if value is None:
            continue
        needed[ref_kind] = max(needed[ref_kind], len(value) if is_list and isinstance(value, list) else 1)
    if needed.get("queue"):
        needed["workspace"] = max(needed["workspace"], 1)
        needed["schema"] = max(needed["schema"], 1)
    docs: list[dict[str, Any]] = []
    for i in range(needed.get("workspace", 0)):
        docs.append({"kind": "Workspace", "key": _nth(STUB_KEY["workspace"], i), "name": "Stub workspace"})
    for i in range(needed.get("schema", 0)):
        docs.append(
            {
                "kind": "Schema",
                "key": _nth(STUB_KEY["schema"], i),
                "name": "Stub schema",
                "content": STUB_SCHEMA_CONTENT,
            }
        )
    for i in range(needed.get("connector", 0)):
        docs.append(
            {
                "kind": "Connector",
                "key": _nth(STUB_KEY["connector"], i),
                "name": "Stub connector",
                "service_url": "https://connector.example.com/",
            }
        )
    for i in range(needed.get("queue", 0)):
        docs.append(
            {
                "kind": "Queue",
                "key": _nth(STUB_KEY["queue"], i),
                "name": f"Stub queue {i + 1}",
                "workspace": STUB_KEY["workspace"],
                "schema": STUB_KEY["schema"],
            }
        )
    for i in range(needed.get("hook", 0)):
        docs.append(
            {
                "kind": "Hook",
                "key": _nth(STUB_KEY["hook"], i),
                "name": f"Stub hook {i + 1}",
                "type": "webhook",
                "events": ["annotation_status.changed"],
                "config": {"url": "https://hooks.example.com/stub"},
            }
        )
    return docs


# -- reporting ------------------------------------------------------------------------------------------------------


@dataclass
class Group:
    count: int = 0
    """Messages with this reason."""
    objects: set[str] = field(default_factory=set)
    """Objects with at least one such message."""
    examples: list[str] = field(default_factory=list)
    sample: str = ""


@dataclass
class Report:
    groups: dict[tuple[str, str], Group] = field(default_factory=dict)
    per_object: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, phase: str, message: str, where: str) -> None:
        reason = generalise(message)
        group = self.groups.setdefault((phase, reason), Group(sample=message))
        group.count += 1
        group.objects.add(where)
        if where not in group.examples and len(group.examples) < 3:
            group.examples.append(where)
        self.per_object.setdefault(where, {}).setdefault(phase, 0)
        self.per_object[where][phase] += 1


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`")
_OBJREF = re.compile(r"\b(Workspace|Schema|Connector|Queue|Inbox|Hook|EmailTemplate|Rule|[A-Z][A-Za-z]+)/[a-z0-9_-]+")
_URL = re.compile(r"https?://\S+")
_NUMBER = re.compile(r"(?<![A-Za-z_])\d+(\.\d+)?")
_KEEP_QUOTED = re.compile(r"cannot be declared|unknown field|config needs|runtime|unknown kind")
_INDEX = re.compile(r"\[\d+\]")


def generalise(message: str) -> str:
    """The reason of a message: object names, URLs, quoted values and numbers replaced by placeholders."""
    text = _URL.sub("<url>", message)
    text = _OBJREF.sub(r"\1/<key>", text)
    if _KEEP_QUOTED.search(message):  # the quoted field name or runtime is the reason itself
        text = re.sub(r"(?<=did you mean )'[^']*'", "'…'", text)
    else:
        text = _QUOTED.sub("'…'", text)
    text = _INDEX.sub("[i]", text)
    # numbers outside quotes only (a kept 'python3.8' stays as it is)
    parts = re.split(r"('[^']*')", text)
    return "".join(p if p.startswith("'") else _NUMBER.sub("N", p) for p in parts)


# -- (a) validator --------------------------------------------------------------------------------------------------


def _yaml_dump(docs: Iterable[dict[str, Any]]) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.width = 4096
    out = StringIO()
    yaml.dump_all(list(docs), out)
    return out.getvalue()


def validate_object(obj: CorpusObject, report: Report) -> None:
    from rossum_iac.manifest import loader

    manifest = to_manifest(obj)
    with tempfile.TemporaryDirectory(prefix="rossum-corpus-") as tmp:
        root = Path(tmp)
        (root / "rossum.yaml").write_text("stack: corpus-survey\n", encoding="utf-8")
        (root / "object.yaml").write_text(_yaml_dump([manifest]), encoding="utf-8")
        stubs = stub_documents(manifest, obj)
        if stubs:
            (root / "stubs.yaml").write_text(_yaml_dump(stubs), encoding="utf-8")
        try:
            result = loader.load(root, env=None, environ={})
        except Exception as exc:  # a crash of the validator is a finding too
            report.add("validator", f"validator crashed: {type(exc).__name__}: {exc}", obj.relpath)
            return
        for error in result.errors:
            name = Path(str(error.file)).name
            if name == "object.yaml":
                report.add("validator", str(error.message), obj.relpath)
            elif name == "stubs.yaml":
                report.add("validator-stub", str(error.message), obj.relpath)
            else:
                report.add("validator", f"{name}: {error.message}", obj.relpath)


# -- (b) emulator ---------------------------------------------------------------------------------------------------


class EmulatorSession:
    """Stub objects in a running emulator; creates fresh queues where a queue may hold only one such object."""

    def __init__(self, client: Any):
        self.client = client
        self.workspace = self._post("workspaces", {"name": "Stub workspace"})["url"]
        self.schema = self._post("schemas", {"name": "Stub schema", "content": STUB_SCHEMA_CONTENT})["url"]
        self.connector = self._post(
            "connectors", {"name": "Stub connector", "service_url": "https://connector.example.com/"}
        )["url"]
        self.queues = [self.new_queue() for _ in range(3)]
        self.hooks = [
            self._post(
                "hooks",
                {
                    "name": f"Stub hook {i}",
                    "type": "webhook",
                    "events": ["annotation_status.changed"],
                    "config": {"url": "https://hooks.example.com/stub"},
                    "queues": [],
                },
            )["url"]
            for i in range(3)
        ]

    def _post(self, collection: str, body: dict[str, Any]) -> dict[str, Any]:
        result = self.client.request_json("POST", collection, json=body)
        assert isinstance(result, dict)
        return result

    def new_queue(self) -> str:
        return self._post("queues", {"name": "Stub queue", "workspace": self.workspace, "schema": self.schema})["url"]

    def urls(self, ref_kind: str, n: int, fresh_queues: bool) -> list[str]:
        if ref_kind == "queue":
            if fresh_queues:
                return [self.new_queue() for _ in range(n)]
            while len(self.queues) < n:
                self.queues.append(self.new_queue())
            return self.queues[:n]
        if ref_kind == "hook":
            return self.hooks[:n]
        return [{"workspace": self.workspace, "schema": self.schema, "connector": self.connector}[ref_kind]] * n

    def body_for(self, obj: CorpusObject) -> dict[str, Any]:
        body = declared_fields(obj)
        fresh = obj.kind in ("inbox", "email_template")  # one inbox per queue; default templates per queue
        refs = {**REFERENCES.get(obj.kind, {}), **API_ONLY_REFERENCES.get(obj.kind, {})}
        for name, (ref_kind, is_list) in refs.items():
            value = body.get(name)
            if value is None:
                continue
            if is_list and isinstance(value, list):
                body[name] = self.urls(ref_kind, len(value), fresh)
            elif not is_list and isinstance(value, str):
                body[name] = self.urls(ref_kind, 1, fresh)[0]
        return body


def _field_errors(exc: Any) -> dict[str, str]:
    """The refusal as ``{field: message}`` (``""`` for a message not tied to a field)."""
    try:
        body = json.loads(exc.error)
    except (ValueError, TypeError):
        body = None
    if isinstance(body, dict) and body and "detail" not in body:
        return {
            name: "; ".join(str(m) for m in msgs) if isinstance(msgs, list) else json.dumps(msgs)[:300]
            for name, msgs in body.items()
        }
    detail = getattr(exc, "detail", None)
    return {"": str(detail if detail is not None else exc)[:300]}


MAX_RETRIES = 4


def create_object(session: EmulatorSession, obj: CorpusObject, report: Report) -> None:
    """POST the declared fields; on a 400, report each refused field, drop those fields and try again."""
    from rossum_iac.client.errors import APIClientError

    collection = COLLECTION[obj.kind]
    body = session.body_for(obj)
    created: Any = None
    for attempt in range(MAX_RETRIES + 1):
        phase = "emulator" if attempt == 0 else "emulator-retry"
        try:
            created = session.client.request_json("POST", collection, json=body)
            break
        except APIClientError as exc:
            errors = _field_errors(exc)
            for name, message in errors.items():
                where = f"{name}: " if name else ""
                report.add(phase, f"POST {collection}: HTTP {exc.status_code}: {where}{message}", obj.relpath)
            droppable = [name for name in errors if name in body and name not in NOT_DROPPABLE]
            if exc.status_code != 400 or not droppable or len(droppable) < len(errors):
                return
            body = {k: v for k, v in body.items() if k not in droppable}
        except Exception as exc:  # the client itself failing on an answer is a finding too
            report.add(phase, f"POST {collection}: {type(exc).__name__}: {exc}", obj.relpath)
            return
    else:
        return
    if attempt:
        report.add(
            "emulator-created-after-drop", f"{obj.kind}: created once the refused fields were left out", obj.relpath
        )
    if not isinstance(created, dict):
        report.add("emulator", f"POST {collection}: answer is not an object", obj.relpath)
        return
    for name, sent in body.items():
        if name in ("secrets", "password") or (obj.kind == "hook" and name == "config"):
            continue  # write-only values never come back; config is compared below without its secrets
        if name not in created:
            report.add("emulator-stored", f"{obj.kind}.{name}: accepted but absent from the answer", obj.relpath)
        elif created[name] != sent:
            report.add("emulator-stored", f"{obj.kind}.{name}: stored value differs from the one sent", obj.relpath)
    if obj.kind == "hook" and isinstance(body.get("config"), dict) and isinstance(created.get("config"), dict):
        for name, sent in body["config"].items():
            if name in ("secret", "client_ssl_key"):
                continue
            got = created["config"].get(name, "<absent>")
            if got != sent:
                what = "absent from the answer" if got == "<absent>" else "stored value differs from the one sent"
                report.add("emulator-stored", f"hook.config.{name}: {what}", obj.relpath)


def run_emulator(objects: list[CorpusObject], report: Report) -> None:
    from rossum_iac.client import SyncRossumAPIClient, UserCredentials
    from rossum_iac.emulator import serve_in_thread

    with serve_in_thread(import_delay_s=0.0) as emu:
        client = SyncRossumAPIClient(
            emu.base_url, UserCredentials(emu.username, emu.password), timeout=10.0, n_retries=1
        )
        try:
            session = EmulatorSession(client)
            for obj in objects:
                create_object(session, obj, report)
        finally:
            client.close()


# -- output ---------------------------------------------------------------------------------------------------------

PHASES = (
    ("validator", "Validator refusals (errors in the object's own manifest)"),
    ("emulator", "Emulator refusals (first POST of the declared fields; one row per refused field)"),
    ("emulator-retry", "Emulator refusals after leaving out the fields refused before (what the first refusal hid)"),
    ("emulator-stored", "Accepted by the emulator but not stored as sent"),
    ("validator-stub", "Errors in the survey's own stub objects (a bug of survey.py if any)"),
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(objects: list[CorpusObject], report: Report) -> str:
    try:
        head = (
            subprocess.run(
                ["git", "-C", str(CORPUS_DIR), "rev-parse", "--short", "HEAD"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip()
            or "unknown"
        )
    except OSError:
        head = "unknown"
    lines = [
        "# Corpus survey results",
        "",
        f"Generated by `python tests/corpus/survey.py` on {_dt.date.today().isoformat()} at commit {head} "
        "(working tree as it was; the validator and emulator change often, so re-run it).",
        "",
        f"{len(objects)} objects. Each refusal reason is a message with names, URLs, quoted values and numbers "
        "generalised; `count` is the number of messages (an object can have several), `objects` the number of "
        "objects refused for that reason.",
        "",
        "## Objects without any refusal, per kind",
        "",
        "| kind | objects | validator clean | emulator created | created after dropping refused fields "
        "| created and stored as sent |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    by_kind: dict[str, list[CorpusObject]] = defaultdict(list)
    for obj in objects:
        by_kind[obj.kind].append(obj)
    for kind, objs in by_kind.items():
        found = [report.per_object.get(o.relpath, {}) for o in objs]
        clean = sum(1 for f in found if not f.get("validator"))
        created = sum(1 for f in found if not f.get("emulator"))
        later = sum(1 for f in found if f.get("emulator-created-after-drop"))
        stored = sum(1 for f in found if not f.get("emulator") and not f.get("emulator-stored"))
        lines.append(f"| {kind} | {len(objs)} | {clean} | {created} | {later} | {stored} |")
    for phase, title in PHASES:
        groups = sorted(((r, g) for (p, r), g in report.groups.items() if p == phase), key=lambda x: -x[1].count)
        lines += ["", f"## {title}", ""]
        if not groups:
            lines.append("None.")
            continue
        lines += ["| count | objects | reason | example message | example files |", "| ---: | ---: | --- | --- | --- |"]
        for reason, group in groups:
            lines.append(
                f"| {group.count} | {len(group.objects)} | {_cell(reason)} | {_cell(group.sample[:240])} | "
                f"{'<br>'.join(group.examples)} |"
            )
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kind", help="only objects of this kind (directory name, e.g. hook)")
    parser.add_argument("--source", help="only objects of this source (directory name)")
    parser.add_argument("--output", type=Path, default=RESULTS_FILE, help="where to write the Markdown report")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--skip-emulator", action="store_true", help="validator only")
    args = parser.parse_args(argv)

    objects = list(iter_objects(kind=args.kind, source=args.source))
    report = Report()
    for obj in objects:
        validate_object(obj, report)
    if not args.skip_emulator:
        run_emulator(objects, report)
    text = render(objects, report)
    print(text)
    if not args.no_write:
        args.output.write_text(text, encoding="utf-8")
        print(f"written to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
