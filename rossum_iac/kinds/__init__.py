"""The kinds a stack can describe, one module each; this registry lists them in dependency order.

Everything rossum-iac knows about a kind (fields, references, defaults, identity, content files, checks) is in its
module; the JSON Schema, the validator, the engine, pull and the docs' field tables are derived from these
definitions. Adding a kind means adding its module and listing it here.
"""

from __future__ import annotations

from rossum_iac.kinds.base import MARKER_KEY, Field, Identity, KindDef
from rossum_iac.kinds.connector import CONNECTOR
from rossum_iac.kinds.email_template import EMAIL_TEMPLATE
from rossum_iac.kinds.hook import HOOK
from rossum_iac.kinds.inbox import INBOX
from rossum_iac.kinds.queue import QUEUE
from rossum_iac.kinds.rule import RULE
from rossum_iac.kinds.schema import SCHEMA
from rossum_iac.kinds.workspace import WORKSPACE

KINDS: dict[str, KindDef] = {
    kind.name: kind for kind in (WORKSPACE, SCHEMA, CONNECTOR, QUEUE, INBOX, HOOK, EMAIL_TEMPLATE, RULE)
}
"""Kinds in dependency order: creating in this order never references an object that does not exist yet."""

KIND_NAMES: tuple[str, ...] = tuple(KINDS)

__all__ = ["KINDS", "KIND_NAMES", "MARKER_KEY", "Field", "Identity", "KindDef"]
