"""Whatever the API holds, the manifests can say: every corpus object of a kind a stack describes goes through the
emulator and back.

For each batch of corpus objects (one emulator organization per batch; objects of one real organization together,
so that their references point at each other):

1. every object is created through the API (``SyncRossumAPIClient.request_json``) as found in the corpus, except for
   the changes listed in ``CHANGES`` (references of the source organization mapped to objects created here, or to
   stubs when the object referred to is not in the batch) and the objects listed in ``SKIPPED``; objects the API
   creates itself (a queue's own email templates, the organization) are PATCHed with the corpus object instead;
2. ``rossum-iac pull DIR --kinds <every kind> --adopt --auto-approve --json`` writes the organization as manifests
   and adopts it (``--kinds`` so that users and dedicated engines no pulled object refers to are pulled too: a pull
   of everything takes those kinds only when referenced, ``KindDef.pull_when_referenced``);
3. ``rossum-iac validate DIR`` reports no error (warnings are collected and printed);
4. ``rossum-iac plan DIR --detailed-exitcode`` exits 0 (no changes), with the ``${env...}`` variables pull lists
   set to the values the objects were created with.

Every created object is then checked to be pulled (or left out by pull for a reason listed in ``PULL_LEAVES_OUT``),
to have no error in its files and no change in the plan. Run with ``-s`` to see the figures per batch.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from click.testing import CliRunner, Result

from rossum_iac.cli.main import main
from rossum_iac.client import SyncRossumAPIClient, Token
from rossum_iac.kinds import KIND_NAMES
from tests.corpus.corpus import CorpusObject, iter_objects

IN_SCOPE = {
    "workspace": ("Workspace", "workspaces"),
    "schema": ("Schema", "schemas"),
    "connector": ("Connector", "connectors"),
    "queue": ("Queue", "queues"),
    "inbox": ("Inbox", "inboxes"),
    "hook": ("Hook", "hooks"),
    "email_template": ("EmailTemplate", "email_templates"),
    "rule": ("Rule", "rules"),
    "label": ("Label", "labels"),
    "trigger": ("Trigger", "triggers"),
    "user": ("User", "users"),
    "organization": ("Organization", "organizations"),
    "dedicated_engine": ("DedicatedEngine", "dedicated_engines"),
}
"""Corpus kind -> (manifest kind, API collection): the kinds a stack describes. Objects are created in the order
of the manifest kinds (``rossum_iac.kinds.KIND_NAMES``: what is referred to first)."""

OUT_OF_SCOPE = {
    "hook_template": "a read-only catalogue of Rossum Store templates (POST is 405); hooks name them",
    "generic_engine": "a read-only catalogue every organization shares (POST is 405); queues name one by name "
    "(Queue.generic_engine, see CHANGES)",
}

SKIPPED = {
    "api-reference/schema/datapoint-examples-of-the-schema-reference.json": (
        "a documentation snippet, not an API object: its node 'show_email' has no label, which the API reference "
        "lists as required on every node (the emulator refuses it the same way, and so does validate)"
    ),
    "rossum-cli/schema/rossum-cli-test-schema.json": (
        "an old CLI test fixture with width_chars on datapoints outside tables, which the API refuses (width, "
        "stretch, can_collapse and width_chars are only valid in a tuple: docs/rossum-api-facts.md, 'Validation "
        "quirks learned in production'); the emulator and validate refuse it too"
    ),
}
"""Objects not created, and why (every one is listed; nothing is skipped silently)."""

CHANGES = {
    "references": "URLs of the source organization point at the object created here from the corpus when it is in "
    "the same batch and comes from the same host (the same source organization), else at a stub (a workspace, "
    "schema, connector, queue, hook, user or dedicated engine created for the purpose; a trigger, see 'email "
    "template triggers')",
    "other side": "links written from the other side (Workspace/Schema/Connector.queues, Queue.hooks/webhooks/"
    "inbox/rules, Schema.rules, Trigger.email_templates, Trigger.delete_recommendations, User.queues, "
    "DedicatedEngine.queues, Organization.workspaces/users) are left out of the body: they follow from the objects "
    "that are created (or, for delete recommendations, which no kind describes, from their own 'triggers')",
    "engines": "Queue.generic_engine/dedicated_engine/engine name engines of the source organization: a set "
    "generic_engine becomes the emulator organization's generic engine, a set dedicated_engine a reference (see "
    "'references'; no corpus queue has one), a set engine is left out (engines are internal API, and the corpus "
    "has none; no corpus queue has one either)",
    "dedicated engine schema": "DedicatedEngine.schema names a dedicated engine schema of the source organization: "
    "the same path under the emulator's URL (the emulator stores it as given and emulates no dedicated engine "
    "schemas; no kind describes them, and pull leaves the field out as per organization)",
    "users": "User.groups name roles of the source deployment by URL: the emulator's group of the same id (the API "
    "reference's group ids, 1 viewer ... 7 approver, which the emulator uses); a username taken by a user created "
    "earlier in the batch (usernames are unique in a deployment: the API reference's John Doe and the SDK's copy of "
    "him) gets '+2' before its '@'",
    "hook templates": "Hook.hook_template names a store template of the source organization: the emulator's "
    "template of the same type",
    "inbox email": "an inbox address is in its organization's domain: the part after '@' becomes the emulator's",
    "inbox queue": "an inbox whose queue here already has one (two inboxes whose queues both became the stub queue) "
    "gets a queue of its own (a queue has at most one inbox)",
    "email template triggers": "EmailTemplate.triggers name Trigger objects of the source organization: a corpus "
    "trigger of the batch when there is one (see 'references'); else, for a queue's own template, the trigger the "
    "API linked to it here (the source's triggers of those templates are their queue's own triggers, which are "
    "not in the corpus), and for other templates a stub trigger of the template's queue (event "
    "annotation_imported), the same for every missing trigger, so that the API reference's example template with "
    "two triggers gets one ('Currently, only one trigger can be linked': API reference, Triggering Email Templates)",
    "queue default templates": "templates of type rejection_default / email_with_no_processable_attachments and the "
    "three 'Annotation status change' ones are created by the API with their queue: they are PATCHed there",
    "organization": "the organization is not created (POST /organizations is 405; /organizations/create needs a "
    "create_key): the corpus organization is PATCHed onto the batch's emulator organization, one per batch (a "
    "second corpus organization of a batch goes to a batch of its own)",
    "secrets_schema": "a secrets_schema without additionalProperties (the API reference's two example hooks: "
    "{type: object, properties: {}}) is left out: the API requires additionalProperties there "
    "(docs/rossum-api-facts.md, hooks) and the emulator refuses it",
}
"""Every change made to an object before it is created (see ``prepare``)."""

PULL_LEAVES_OUT = {
    "a queue's own template, as the API created it",
    "the organization's settings are as the API creates them",
}
"""Reasons for which pull may leave a created object out (``pull --json`` "skipped")."""

_DROP = {"id", "url", "status", "counts", "created_at", "created_by", "modified_at", "modified_by", "organization"}
_OTHER_SIDE = {
    "workspace": {"queues"},
    "schema": {"queues", "rules"},
    "connector": {"queues"},
    "queue": {"hooks", "webhooks", "inbox", "rules"},
    "trigger": {"email_templates", "delete_recommendations"},
    "user": {"queues"},
    "dedicated_engine": {"queues"},
    "organization": {"workspaces", "users"},
}
_DEFAULT_CUSTOM = {
    "Annotation status change - confirmed",
    "Annotation status change - exported",
    "Annotation status change - received",
}
_QUEUE_DEFAULT_TYPES = {"rejection_default", "email_with_no_processable_attachments"}
_STUB_CONTENT = [
    {
        "category": "section",
        "id": "stub_section",
        "label": "Stub",
        "children": [{"category": "datapoint", "id": "stub_field", "label": "Stub field", "type": "string"}],
    }
]


# --- batches ------------------------------------------------------------------------------------------------------


def _host(obj: CorpusObject) -> str:
    return urlparse(str(obj.data.get("url") or "")).netloc


def _tail(url: Any) -> tuple[str, int] | None:
    """``https://x/api/v1/queues/12`` -> ``("queues", 12)``."""
    if not isinstance(url, str):
        return None
    found = re.search(r"/([a-z_]+)/(\d+)/?(?:[?#].*)?$", url)
    return (found.group(1), int(found.group(2))) if found else None


def batches() -> dict[str, list[CorpusObject]]:
    """Objects in scope by batch: deployment-manager's dumps by organization (host), everything else together.
    A second copy of an object (same source, host and id) goes to the examples batch, where its references are
    stubs (or other objects of its host there). A batch has one emulator organization, so a second corpus
    organization of a batch (the API reference's and the SDK's) goes to a batch of its own."""
    out: dict[str, list[CorpusObject]] = {}
    seen: set[tuple[str, str, str, Any]] = set()
    for obj in iter_objects():
        if obj.kind not in IN_SCOPE:
            continue
        identity = (obj.source, _host(obj), obj.kind, obj.data.get("id"))
        name = f"{obj.source}@{_host(obj)}" if obj.source == "deployment-manager" else "examples"
        if obj.data.get("id") is not None and identity in seen:
            name = "examples"
        if obj.kind == "organization" and any(o.kind == "organization" for o in out.get(name, [])):
            name = f"organization {obj.source}@{_host(obj)}"
        seen.add(identity)
        out.setdefault(name, []).append(obj)
    return out


BATCHES = batches()


def _creation_order(objects: list[CorpusObject]) -> list[CorpusObject]:
    """Manifest kind order (what is referred to first); hooks after the hooks of their run_after."""
    rank = {name: i for i, name in enumerate(KIND_NAMES)}
    order = {kind: rank[manifest_kind] for kind, (manifest_kind, _) in IN_SCOPE.items()}
    ordered = sorted(objects, key=lambda o: order[o.kind])
    hooks = [o for o in ordered if o.kind == "hook"]
    by_id = {o.data.get("id"): o for o in hooks}
    placed: list[CorpusObject] = []

    def place(hook: CorpusObject, path: tuple[Any, ...]) -> None:
        if hook in placed or hook.data.get("id") in path:
            return
        for url in hook.data.get("run_after") or []:
            target = _tail(url)
            if target and target[1] in by_id:
                place(by_id[target[1]], (*path, hook.data.get("id")))
        placed.append(hook)

    for hook in hooks:
        place(hook, ())
    first = [o for o in ordered if order[o.kind] < order["hook"]]
    rest = [o for o in ordered if order[o.kind] > order["hook"]]
    return [*first, *placed, *rest]


# --- creating -----------------------------------------------------------------------------------------------------


@dataclass
class Created:
    obj: CorpusObject
    kind: str
    """Manifest kind."""
    id: int
    body: dict[str, Any]
    """What was sent (secret values included, for the ${env...} variables pull asks for)."""


@dataclass
class Organization:
    """One emulator organization being filled with a batch of corpus objects."""

    client: SyncRossumAPIClient
    base_url: str
    organization: str
    urls: dict[tuple[str, str, int], str] = field(default_factory=dict)
    """(source host, collection, source id) -> URL here, for corpus objects created in this organization."""
    created: list[Created] = field(default_factory=list)
    stubs: dict[str, str] = field(default_factory=dict)
    queues_with_inbox: set[str] = field(default_factory=set)
    usernames: set[str] = field(default_factory=set)

    def post(self, collection: str, body: dict[str, Any]) -> dict[str, Any]:
        result = self.client.request_json("POST", collection, json=body)
        assert isinstance(result, dict)
        return result

    def patch(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        result = self.client.request_json("PATCH", url.removeprefix(self.base_url).lstrip("/"), json=body)
        assert isinstance(result, dict)
        return result

    def stub(self, collection: str) -> str:
        if collection not in self.stubs:
            self.stubs[collection] = self._new_stub(collection)
        return self.stubs[collection]

    def _new_stub(self, collection: str) -> str:
        bodies: dict[str, dict[str, Any]] = {
            "workspaces": {"name": "Stub workspace", "organization": self.organization},
            "schemas": {"name": "Stub schema", "content": _STUB_CONTENT},
            "connectors": {"name": "Stub connector", "service_url": "https://connector.example.com/"},
            "hooks": {"name": "Stub hook", "events": [], "config": {"url": "https://hooks.example.com/stub"}},
            "users": {
                "username": "corpus-stub-user@example.com",
                "email": "corpus-stub-user@example.com",
                "organization": self.organization,
            },
            "dedicated_engines": {"name": "Stub dedicated engine"},
        }
        if collection == "queues":
            return self.new_queue()
        return str(self.post(collection, bodies[collection])["url"])

    def new_queue(self) -> str:
        body = {"name": "Stub queue", "workspace": self.stub("workspaces"), "schema": self.stub("schemas")}
        return str(self.post("queues", body)["url"])

    def stub_trigger(self, queue: str) -> str:
        """The stub trigger of a queue, for email templates whose triggers are not in the corpus."""
        if f"triggers@{queue}" not in self.stubs:
            body = {"queue": queue, "event": "annotation_imported", "condition": {}}
            self.stubs[f"triggers@{queue}"] = str(self.post("triggers", body)["url"])
        return self.stubs[f"triggers@{queue}"]

    def corpus_ref(self, url: Any, collection: str) -> str | None:
        """The URL here of the corpus object of this batch a URL of the source organization names, if any."""
        target = _tail(url)
        if target is None:
            return None
        return self.urls.get((urlparse(str(url)).netloc, collection, target[1]))

    def ref(self, url: Any, collection: str) -> str | None:
        """The URL here for a URL of the source organization (a corpus object of this batch, else a stub)."""
        if url is None:
            return None
        return self.corpus_ref(url, collection) or self.stub(collection)

    def generic_engine(self) -> str:
        engines = list(self.client.request_paginated("generic_engines"))
        return str(engines[0]["url"])

    def hook_template(self, hook_type: Any) -> str:
        templates = list(self.client.request_paginated("hook_templates"))
        wanted = "function" if hook_type == "function" else "webhook"
        return str(next(t for t in templates if t.get("type") == wanted)["url"])

    def group(self, url: Any) -> str:
        """The role here with the id of a role URL of the source deployment (see CHANGES, 'users')."""
        target = _tail(url)
        assert target is not None and target[0] == "groups", url
        return str(self.client.request_json("GET", f"groups/{target[1]}")["url"])

    def unique_username(self, username: Any) -> Any:
        if not isinstance(username, str):
            return username
        unique, n = username, 1
        while unique in self.usernames:
            n += 1
            local, at, domain = username.partition("@")
            unique = f"{local}+{n}{at}{domain}"
        self.usernames.add(unique)
        return unique

    def queue_template(self, queue: str, body: dict[str, Any]) -> dict[str, Any]:
        """The queue's own template a default corpus template configures (by type, or by name for 'custom')."""
        queue_id = _tail(queue)[1]  # type: ignore[index]
        templates = list(self.client.request_paginated("email_templates", queue=queue_id))
        if body.get("type") in _QUEUE_DEFAULT_TYPES:
            return next(t for t in templates if t.get("type") == body["type"])
        return next(t for t in templates if t.get("name") == body["name"])

    # --- one object ---

    def prepare(self, obj: CorpusObject) -> dict[str, Any]:
        """The body to send: the object as found, with the CHANGES applied."""
        body = {k: copy.deepcopy(v) for k, v in obj.data.items() if k not in _DROP | _OTHER_SIDE.get(obj.kind, set())}
        kind = obj.kind
        if kind == "queue":
            body["workspace"] = self.ref(body.get("workspace"), "workspaces")
            body["schema"] = self.ref(body.get("schema"), "schemas")
            body["connector"] = self.ref(body.get("connector"), "connectors")
            if body.get("generic_engine") is not None:
                body["generic_engine"] = self.generic_engine()
            if body.get("dedicated_engine") is not None:
                body["dedicated_engine"] = self.ref(body["dedicated_engine"], "dedicated_engines")
            if body.get("engine") is not None:
                del body["engine"]
            if body.get("users"):
                body["users"] = [self.ref(url, "users") for url in body["users"]]
        elif kind == "inbox":
            queue = self.ref((body.get("queues") or [None])[0], "queues") or self.stub("queues")
            if queue in self.queues_with_inbox:
                queue = self.new_queue()
            self.queues_with_inbox.add(queue)
            body["queues"] = [queue]
            if isinstance(body.get("email"), str):
                body["email"] = body["email"].split("@", 1)[0] + "@emulator.rossum.local"
        elif kind == "hook":
            body["queues"] = [self.ref(url, "queues") for url in body.get("queues") or []]
            body["run_after"] = [self.ref(url, "hooks") for url in body.get("run_after") or []]
            if body.get("token_owner") is not None:
                body["token_owner"] = self.ref(body["token_owner"], "users")
            if body.get("hook_template") is not None:
                body["hook_template"] = self.hook_template(body.get("type"))
            schema = body.get("secrets_schema")
            if isinstance(schema, dict) and "additionalProperties" not in schema:
                del body["secrets_schema"]
        elif kind == "email_template":
            body["queue"] = self.ref(body.get("queue"), "queues") or self.stub("queues")
            if "triggers" in body:
                body["triggers"] = self._template_triggers(body)
        elif kind == "trigger":
            body["queue"] = self.ref(body.get("queue"), "queues") or self.stub("queues")
        elif kind == "rule":
            body["queues"] = [self.ref(url, "queues") for url in body.get("queues") or []]
            if body.get("schema") is not None:
                body["schema"] = self.ref(body["schema"], "schemas")
        elif kind == "user":
            body["organization"] = self.organization
            body["username"] = self.unique_username(body.get("username"))
            body["groups"] = [self.group(url) for url in body.get("groups") or []]
        elif kind == "dedicated_engine":
            target = _tail(body.get("schema"))
            if target is not None:
                body["schema"] = f"{self.base_url}/{target[0]}/{target[1]}"
        elif kind == "workspace":
            body["organization"] = self.organization
        return body

    def _template_triggers(self, body: dict[str, Any]) -> list[str]:
        found = [self.corpus_ref(url, "triggers") for url in body["triggers"] or []]
        missing = [url for url, here in zip(body["triggers"] or [], found, strict=True) if here is None]
        triggers = [here for here in found if here is not None]
        if missing and _is_queue_default(body):
            triggers += self.queue_template(body["queue"], body)["triggers"]
        elif missing:
            triggers.append(self.stub_trigger(body["queue"]))
        return list(dict.fromkeys(triggers))

    def create(self, obj: CorpusObject) -> None:
        manifest_kind, collection = IN_SCOPE[obj.kind]
        body = self.prepare(obj)
        if obj.kind == "organization":
            result = self.patch(self.organization, body)
        elif obj.kind == "email_template" and _is_queue_default(body):
            template = self.queue_template(body["queue"], body)
            result = self.patch(template["url"], {k: v for k, v in body.items() if k not in ("queue", "type")})
        else:
            result = self.post(collection, body)
        target = _tail(obj.data.get("url"))
        if target is not None:
            self.urls.setdefault((_host(obj), collection, target[1]), str(result["url"]))
        self.created.append(Created(obj, manifest_kind, int(result["id"]), body))


def _is_queue_default(template: dict[str, Any]) -> bool:
    """Whether an email template body is one of the templates the API creates with every queue."""
    return template.get("type") in _QUEUE_DEFAULT_TYPES or (
        template.get("type") in (None, "custom") and template.get("name") in _DEFAULT_CUSTOM
    )


# --- the round trip -----------------------------------------------------------------------------------------------


@dataclass
class Figures:
    """Per manifest kind: objects created, pulled, validated clean, planned empty (and left out by pull)."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def add(self, kind: str, what: str) -> None:
        self.counts.setdefault(kind, {}).setdefault(what, 0)
        self.counts[kind][what] += 1

    def table(self, batch: str) -> str:
        columns = ("created", "pulled", "left out by pull", "validated clean", "planned empty")
        lines = [f"batch {batch}: " + ", ".join(columns)]
        for kind, counts in self.counts.items():
            lines.append(f"  {kind}: " + ", ".join(str(counts.get(c, 0)) for c in columns))
        lines += [f"  skipped: {s}" for s in self.skipped] + [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def _cli(*args: str, env: dict[str, str]) -> Result:
    return CliRunner().invoke(main, list(args), env={"NO_COLOR": "1", **env}, catch_exceptions=False)


def _get_path(data: Any, path: str) -> Any:
    for part in path.split("."):
        data = data[part]
    return data


def _owner(path: str, files: dict[str, str]) -> str | None:
    """The pulled object (address) a file belongs to: its manifest or a content file next to it."""
    for address, manifest in files.items():
        stem = manifest.removesuffix(".yaml")
        if path == manifest or path.startswith(stem + "."):
            return address
    return None


def roundtrip(emulator: Any, objects: list[CorpusObject], out: Path) -> Figures:
    figures = Figures()
    client = SyncRossumAPIClient(emulator.base_url, Token(emulator.token), requests_per_second=None)
    org = Organization(client, emulator.base_url, f"{emulator.base_url}/organizations/{emulator.organization_id}")
    try:
        for obj in _creation_order(objects):
            if obj.relpath in SKIPPED:
                figures.skipped.append(f"{obj.relpath}: {SKIPPED[obj.relpath]}")
                continue
            org.create(obj)
    finally:
        client.close()
    env = {"ROSSUM_API_TOKEN": emulator.token, "ROSSUM_IAC_RATE_LIMIT": "0"}  # a local emulator: no pacing
    base = ("--base-url", emulator.base_url)
    kinds = ("--kinds", ",".join(KIND_NAMES))  # users and dedicated engines nothing refers to too
    pulled = _cli("pull", str(out), *kinds, "--adopt", "--auto-approve", "--json", *base, env=env)
    assert pulled.exit_code == 0, pulled.output
    summary = json.loads(pulled.stdout)
    assert summary["adopt"]["ok"], summary["adopt"]
    by_address = {o["address"]: o for o in summary["objects"]}
    by_id = {(o["address"].split("/")[0], o["id"]): o["address"] for o in summary["objects"]}
    skipped = {(s["kind"], s["id"]): s["reason"] for s in summary["skipped"]}
    created = {(c.kind, c.id): c for c in org.created}

    secrets = {}
    for secret in summary["secrets"]:
        source = created.get((secret["address"].split("/")[0], by_address[secret["address"]]["id"]))
        assert source is not None, f"pull asks for {secret['name']} of {secret['address']}, not a corpus object"
        secrets[secret["name"]] = str(_get_path(source.body, secret["field"]))
    env.update(secrets)

    checked = _cli("validate", str(out), "--json", env=env)
    report = json.loads(checked.stdout)
    files = {address: o["file"] for address, o in by_address.items()}
    errors: dict[str | None, list[str]] = {}
    for error in report["errors"]:
        relative = Path(error["file"]).relative_to(out).as_posix()
        errors.setdefault(_owner(relative, files), []).append(f"{relative}:{error['line']}: {error['message']}")
    figures.warnings = [f"{Path(w['file']).relative_to(out)}:{w['line']}: {w['message']}" for w in report["warnings"]]

    plan = _cli("plan", str(out), "--detailed-exitcode", "--json", *base, env=env)
    assert plan.exit_code in (0, 2), plan.output
    changed = {a["address"]: a for a in json.loads(plan.stdout)["resource_changes"] if a["actions"] != ["no-op"]}

    problems: list[str] = []
    for (kind, obj_id), item in created.items():
        figures.add(kind, "created")
        address = by_id.get((kind, obj_id))
        if address is None:
            reason = skipped.get((kind, obj_id))
            if reason in PULL_LEAVES_OUT:
                figures.add(kind, "left out by pull")
            else:
                problems.append(f"{item.obj.relpath}: not pulled ({reason or 'not found'})")
            continue
        figures.add(kind, "pulled")
        if errors.get(address):
            problems.append(f"{item.obj.relpath} ({address}): " + "; ".join(errors[address]))
        else:
            figures.add(kind, "validated clean")
        if address in changed:
            problems.append(f"{item.obj.relpath} ({address}): plan {json.dumps(changed[address])[:800]}")
        else:
            figures.add(kind, "planned empty")
    print(figures.table(out.name))
    assert not problems, "\n".join(problems)
    assert report["errors"] == [], report["errors"]  # stubs and emulator seeds included
    assert checked.exit_code == 0 and plan.exit_code == 0, plan.output
    return figures


def _all_objects() -> Iterator[CorpusObject]:
    for objects in BATCHES.values():
        yield from objects


def test_every_corpus_object_is_in_a_batch_or_out_of_scope() -> None:
    every = list(iter_objects())
    assert {o.kind for o in every} <= set(IN_SCOPE) | set(OUT_OF_SCOPE)
    in_scope = [o.relpath for o in every if o.kind in IN_SCOPE]
    assert sorted(o.relpath for o in _all_objects()) == sorted(in_scope)
    assert set(SKIPPED) <= set(in_scope)


@pytest.mark.parametrize("batch", sorted(BATCHES))
def test_corpus_objects_round_trip(emulator: Any, tmp_path: Path, batch: str) -> None:
    figures = roundtrip(emulator, BATCHES[batch], tmp_path / re.sub(r"[^a-z0-9]+", "-", batch))
    expected = sum(1 for o in BATCHES[batch] if o.relpath not in SKIPPED)
    assert sum(c.get("created", 0) for c in figures.counts.values()) == expected
