"""The kind definitions: discovery, derived views, and everything derived from them agreeing with them."""

from __future__ import annotations

import json

from rossum_iac.kinds import KIND_NAMES, KINDS, Identity
from rossum_iac.kinds import docs as kind_docs
from rossum_iac.manifest import schema_build


def test_every_kind_module_is_discovered_in_dependency_order() -> None:
    assert KIND_NAMES[0] == "Organization"
    for name in ("Workspace", "Schema", "Connector", "User", "Queue", "Inbox", "Hook", "Trigger", "EmailTemplate",
                 "Label", "Rule"):
        assert name in KIND_NAMES
    position = {name: i for i, name in enumerate(KIND_NAMES)}
    for kind in KINDS.values():
        for dependency in kind.depends_on:
            assert position[dependency] < position[kind.name]


def test_derived_views_come_from_the_fields() -> None:
    hook = KINDS["Hook"]
    assert hook.write_only == {"secrets", "config.secret", "config.client_ssl_key"}
    assert set(hook.content_fields) == {"config.code"}
    assert hook.set_fields == {"queues", "run_after", "events", "sideload"}
    assert set(hook.refs) == {"queues", "run_after", "token_owner"}
    assert KINDS["Queue"].depends_on[:4] == ("Workspace", "Schema", "Connector", "User")
    assert KINDS["Queue"].duration_fields == {"session_timeout", "document_lifetime"}
    assert KINDS["Inbox"].replace_fields == {"queues"}
    assert KINDS["EmailTemplate"].parent_field == "queue"
    assert KINDS["Rule"].identity is Identity.ORGANIZATION_RECORD
    assert not KINDS["Rule"].has_metadata and KINDS["Queue"].has_metadata
    assert "counts" in KINDS["Queue"].volatile_fields and "modified_at" in KINDS["Workspace"].volatile_fields


def test_read_only_fields_explain_themselves_and_are_not_in_the_json_schema() -> None:
    schema = schema_build.build_schema()
    for kind in KINDS.values():
        properties = schema["$defs"][kind.name]["properties"]
        for name, spec in kind.fields.items():
            if spec.declarable:
                assert name in properties, f"{kind.name}.{name}"
            else:
                assert name not in properties, f"{kind.name}.{name}"
                assert kind.not_declarable_reason(name)
        assert kind.not_declarable_reason("id") and kind.not_declarable_reason("url")
        assert kind.not_declarable_reason("no_such_field") is None
        assert schema["$defs"][kind.name]["required"] == ["kind", "key", *kind.required]


def test_defaults_are_valid_values_of_their_fields() -> None:
    from jsonschema import Draft202012Validator

    schema = schema_build.build_schema()
    for kind in KINDS.values():
        for name, spec in kind.fields.items():
            if not spec.declarable or spec.default is kind_docs.NO_DEFAULT:
                continue
            field_schema = {"$defs": schema["$defs"], **schema["$defs"][kind.name]["properties"][name]}
            errors = list(Draft202012Validator(field_schema).iter_errors(spec.default))
            assert not errors, f"{kind.name}.{name} default {json.dumps(spec.default)}: {errors[0].message}"


def test_docs_field_tables_are_rendered_from_the_kinds() -> None:
    for page, section in kind_docs.PAGES.items():
        text = page.read_text(encoding="utf-8")
        assert kind_docs.updated(text, section) == text, f"{page}: run python -m rossum_iac.kinds.docs"
    current = kind_docs.DOCS.read_text(encoding="utf-8")
    for kind in KINDS.values():
        assert f"### {kind.name}" in current
        for path, spec in kind.walk():
            if spec.declarable:
                assert f"| `{path}` |" in current


def test_type_words_summarise_json_schema() -> None:
    assert kind_docs.type_words({"type": ["integer", "null"], "minimum": 0, "maximum": 60}) == "integer or null (0-60)"
    assert kind_docs.type_words({"anyOf": [{"enum": ["a", "b"]}, {"$ref": "#/$defs/placeholder"}]}) == "`a` / `b`"
    assert kind_docs.type_words({"type": "array", "items": {"$ref": "#/$defs/key"}}) == "list of key"


def test_facilities_of_the_organization_wide_kinds() -> None:
    """What the kinds beyond the queue family declare: the engine implements each facility once, from these."""
    organization, user, label, trigger = (KINDS[k] for k in ("Organization", "User", "Label", "Trigger"))
    assert organization.singleton and organization.identity is Identity.ORGANIZATION_RECORD
    assert not organization.fields["name"].declarable  # each environment's organization keeps its own name
    assert user.protect_by_default and user.soft_delete == "deleted" and user.name_field == "username"
    assert user.fields["groups"].catalog == "groups" and user.fields["groups"].many
    assert user.create_only_fields == {"email"} and not user.fields["password"].declarable
    assert user.pull_when_referenced and user.natural_key == ("username",)
    assert label.identity is Identity.ORGANIZATION_RECORD and label.collection == "labels"
    assert trigger.identity is Identity.QUEUE_RECORD and trigger.parent_field == "queue"
    assert trigger.default_slot is not None and trigger.default_slot({"event": "annotation_exported"})
    assert trigger.default_slot({"event": "annotation_imported"}) is None
    assert KINDS["EmailTemplate"].refs["triggers"].ref == "Trigger"
    assert KINDS["Queue"].refs["users"].ref == "User" and KINDS["Hook"].refs["token_owner"].ref == "User"
    assert not KINDS["Queue"].fields["users"].unportable and not KINDS["Hook"].fields["token_owner"].unportable
