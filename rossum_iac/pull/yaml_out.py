"""YAML as pull writes it: block style, keys in the order given, multi-line text as literal blocks, UTF-8.

``prepare`` marks the styles (literal blocks, double quotes where needed, ``{file: path}`` in flow style) with
ruamel's round-trip types, which ``pull --update`` inserts into files it edits. ``dump`` writes new files with
ruamel's C emitter (libyaml through ruamel.yaml.clib; five times faster than the round-trip dumper) and a
representer for those types; ruamel quotes every string that would otherwise read back as something else, so
what the loader reads is exactly what was dumped (tests check the round trip).
"""

from __future__ import annotations

import io
import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString


def _represent_mapping(representer: Any, data: CommentedMap) -> Any:
    flow = bool(data.fa.flow_style())
    return representer.represent_mapping("tag:yaml.org,2002:map", data, flow_style=flow)


def _represent_text(style: str) -> Any:
    def represent(representer: Any, data: str) -> Any:
        return representer.represent_scalar("tag:yaml.org,2002:str", str(data), style=style)

    return represent


def _dumper() -> YAML:
    yaml = YAML(typ="safe", pure=False)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 4096
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    representer = yaml.representer
    representer.ignore_aliases = lambda data: True  # identical values are written out, never as anchors
    representer.add_representer(CommentedMap, _represent_mapping)
    representer.add_representer(LiteralScalarString, _represent_text("|"))
    representer.add_representer(DoubleQuotedScalarString, _represent_text('"'))
    return yaml


_DUMPER = _dumper()


_FOLDED_BY_EMITTER = re.compile("[\x85\u2028\u2029\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Characters ruamel's emitter breaks or folds inside plain and single-quoted scalars (NEL is written as a line
break, which reads back as a space): such strings are written double-quoted, with escapes."""


def text_node(value: str) -> Any:
    if _FOLDED_BY_EMITTER.search(value):
        return DoubleQuotedScalarString(value)
    if "\n" in value.strip("\n") and literal_ok(value):
        return LiteralScalarString(value)
    return value


def prepare(value: Any) -> Any:
    """``value`` with the styles pull writes marked in ruamel's round-trip types."""
    if isinstance(value, str):
        return text_node(value)
    if isinstance(value, dict):
        out = CommentedMap((text_node(k) if isinstance(k, str) else k, prepare(v)) for k, v in value.items())
        if list(value) == ["file"]:
            out.fa.set_flow_style()  # an include reads best as {file: path}
        return out
    if isinstance(value, list):
        return [prepare(v) for v in value]
    return value


def literal_ok(text: str) -> bool:
    """Whether a literal block keeps the text exactly (no trailing spaces on lines, no tabs or odd characters)."""
    return all(line == line.rstrip(" \t") for line in text.split("\n")) and "\r" not in text and "\t" not in text


def dump(data: Any) -> str:
    stream = io.StringIO()
    _DUMPER.dump(prepare(data), stream)
    return stream.getvalue()


def dump_document(document: dict[str, Any]) -> str:
    return dump(document)


def dump_stack_file(stack: str) -> str:
    return dump({"stack": stack})
