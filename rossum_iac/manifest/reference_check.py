"""Offline checks of schema-id references (``validate``): every id a manifest names must exist in the schemas it
applies to, and schema text attributes must fit the API's limits.

The schemas an object applies to: a schema's own content (formulas); a queue's schema (``settings``); the schemas
of a rule's or hook's ``queues`` (a rule without queues runs on every queue of the organization, so its mentions
are only warnings); an email template's queue's schema. Certain mentions that no schema in scope has are errors,
likely ones warnings (see ``references``); a mention missing from some of several schemas is a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rossum_iac.manifest.locate import Locator
from rossum_iac.manifest.model import DesiredObject, Ref
from rossum_iac.manifest.references import (
    CERTAIN,
    LIKELY,
    SchemaIdRef,
    SchemaNode,
    as_text,
    code_language,
    find_references,
    schema_nodes,
    schema_references,
)
from rossum_iac.manifest.yaml_io import Pos
from rossum_iac.suggest import suggest

Report = Callable[[Path, Pos, str], None]

TEXT_LIMITS = {"formula": 2000, "prompt": 2000}
"""Longest schema text attributes the API accepts (API reference, "Datapoint": ``string[0;2000]``)."""


def describe(ref: SchemaIdRef) -> str:
    """How the mention reads: ``reads field.x``, ``names schema id 'x'``."""
    if ref.how == "field":
        return f"reads field.{ref.schema_id}"
    if ref.how == "placeholder":
        return f"uses {{{{ annotation.content.value.{ref.schema_id} }}}}"
    if ref.how == "literal":
        return f"compares a schema id with '{ref.schema_id}'"
    return f"names schema id '{ref.schema_id}'"


class _Scope:
    """The stack's schemas and which queues use them."""

    def __init__(self, objects: list[DesiredObject]):
        self.nodes: dict[str, dict[str, SchemaNode]] = {}
        self.queue_schema: dict[str, str] = {}
        for obj in objects:
            if obj.kind == "Schema":
                self.nodes[obj.key] = schema_nodes(obj.fields.get("content"))
            elif obj.kind == "Queue" and isinstance(obj.fields.get("schema"), Ref):
                self.queue_schema[obj.key] = obj.fields["schema"].key

    def queues_of(self, schema: str) -> list[str]:
        return sorted(q for q, s in self.queue_schema.items() if s == schema)

    def of(self, obj: DesiredObject) -> tuple[list[str], bool]:
        """The schema keys ``obj`` applies to, and whether it also runs on queues outside the stack."""
        if obj.kind == "Schema":
            return [obj.key], False
        if obj.kind == "Queue":
            return self._schemas([obj.fields.get("schema")], by_queue=False), False
        if obj.kind == "EmailTemplate":
            return self._schemas([obj.fields.get("queue")]), False
        if obj.kind in ("Rule", "Hook"):
            queues = obj.fields.get("queues")
            if obj.kind == "Rule" and queues in (None, []):
                return sorted(self.nodes), True
            return self._schemas(queues if isinstance(queues, list) else []), False
        return [], False

    def _schemas(self, refs: list[object], by_queue: bool = True) -> list[str]:
        out: list[str] = []
        for ref in refs:
            if not isinstance(ref, Ref):
                continue
            key = self.queue_schema.get(ref.key) if by_queue else ref.key
            if key is not None and key in self.nodes and key not in out:
                out.append(key)
        return out


def check_references(objects: list[DesiredObject], locator: Locator, error: Report, warn: Report) -> None:
    """Report schema ids the manifests name that their schemas do not have, and over-long schema text."""
    scope = _Scope(objects)
    for obj in objects:
        if obj.kind == "Schema":
            _check_text_limits(obj, scope.nodes.get(obj.key, {}), locator, error)
        schemas, everywhere = scope.of(obj)
        if not schemas:
            continue
        refs = (
            schema_references(obj.fields, scope.nodes[obj.key])  # its nodes are built already
            if obj.kind == "Schema"
            else find_references(obj.kind, obj.fields)
        )
        for ref in refs:
            if ref.strength not in (CERTAIN, LIKELY):
                continue
            missing = [s for s in schemas if ref.schema_id not in scope.nodes[s]]
            if not missing:
                continue
            file, pos = _where(obj, ref, locator)
            message = _message(obj, ref, missing, schemas, scope)
            if ref.strength == CERTAIN and len(missing) == len(schemas) and not everywhere:
                error(file, pos, message)
            else:
                warn(file, pos, message)


def _where(obj: DesiredObject, ref: SchemaIdRef, locator: Locator) -> tuple[Path, Pos]:
    language = code_language(obj.fields)
    return locator.position(obj, ref.path, lambda text: ref.offset_in(text, language))


def _message(obj: DesiredObject, ref: SchemaIdRef, missing: list[str], schemas: list[str], scope: _Scope) -> str:
    known = sorted({node for s in missing for node in scope.nodes[s]})
    hint = suggest(ref.schema_id, known)
    if obj.kind == "Schema":
        return f"{obj.address} {ref.field} {describe(ref)}, but the schema has no datapoint '{ref.schema_id}'{hint}"
    lacking = " and ".join(_schema_words(s, scope) for s in missing)
    text = f"{obj.address} {ref.field} {describe(ref)}, but {lacking} has no datapoint '{ref.schema_id}'{hint}"
    if len(missing) < len(schemas):
        have = ", ".join(f"Schema/{s}" for s in schemas if s not in missing)
        text += f" ({have} has it)"
    if obj.kind == "Rule" and not obj.fields.get("queues"):
        text += "; the rule has no queues, so it runs on every queue of the organization"
    if ref.strength == LIKELY:
        text += "; found by a heuristic (code or extension settings): ignore it if this is not a schema id"
    return text


def _schema_words(schema: str, scope: _Scope) -> str:
    queues = scope.queues_of(schema)
    used = f" (the schema of {', '.join(f'Queue/{q}' for q in queues)})" if queues else ""
    return f"Schema/{schema}{used}"


def _check_text_limits(obj: DesiredObject, nodes: dict[str, SchemaNode], locator: Locator, error: Report) -> None:
    for node in nodes.values():
        for attribute, limit in TEXT_LIMITS.items():
            text = as_text(node.data.get(attribute))
            if text is not None and len(text) > limit:
                file, pos = locator.position(obj, ("content", *node.path, attribute))
                error(
                    file,
                    pos,
                    f"{obj.address}: {attribute} of '{node.id}' is {len(text)} characters long; the API accepts at "
                    f"most {limit}",
                )
