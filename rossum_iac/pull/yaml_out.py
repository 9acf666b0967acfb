"""YAML as pull writes it: block style, keys in the order given, multi-line text as literal blocks, UTF-8.

ruamel.yaml writes YAML 1.2 and quotes every string that would otherwise read back as something else, so what the
loader reads is exactly what was dumped (tests check the round trip).
"""

from __future__ import annotations

import io
import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


_FOLDED_BY_EMITTER = re.compile("[\x85\u2028\u2029\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Characters ruamel's emitter breaks or folds inside plain and single-quoted scalars (NEL is written as a line
break, which reads back as a space): such strings are written double-quoted, with escapes."""


def _text(value: str) -> Any:
    if _FOLDED_BY_EMITTER.search(value):
        return DoubleQuotedScalarString(value)
    if "\n" in value.strip("\n") and _literal_ok(value):
        return LiteralScalarString(value)
    return value


def _prepare(value: Any) -> Any:
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, dict):
        out = CommentedMap((_text(k) if isinstance(k, str) else k, _prepare(v)) for k, v in value.items())
        if list(value) == ["file"]:
            out.fa.set_flow_style()  # an include reads best as {file: path}
        return out
    if isinstance(value, list):
        return [_prepare(v) for v in value]
    return value


def _literal_ok(text: str) -> bool:
    """Whether a literal block keeps the text exactly (no trailing spaces on lines, no tabs or odd characters)."""
    return all(line == line.rstrip(" \t") for line in text.split("\n")) and "\r" not in text and "\t" not in text


def dump(data: Any) -> str:
    stream = io.StringIO()
    _yaml().dump(_prepare(data), stream)
    return stream.getvalue()


def dump_document(document: dict[str, Any]) -> str:
    return dump(document)


def dump_stack_file(stack: str) -> str:
    return dump({"stack": stack})
