"""The fast YAML subset parser agrees with ruamel.yaml (values and positions) or hands the text over to it."""

from __future__ import annotations

import io
import random
from typing import Any

import pytest
from ruamel.yaml import YAML

from rossum_iac.manifest import fastyaml
from rossum_iac.manifest.yaml_io import YamlSyntaxError, YMap, YSeq, _parse_with_ruamel, parse_documents

from .helpers import EXAMPLES


def _same(fast: Any, slow: Any, path: str = "$") -> None:
    assert type(fast) is type(slow), f"{path}: {type(fast).__name__} != {type(slow).__name__}"
    if isinstance(fast, YMap):
        assert list(fast) == list(slow), path
        assert fast.pos == slow.pos, f"{path}: position"
        for key in fast:
            assert fast.kpos[key] == slow.kpos[key], f"{path}.{key}: key position"
            if fast[key] is not None:  # ruamel places an empty value at the next token
                assert fast.vpos[key] == slow.vpos[key], f"{path}.{key}: value position"
            _same(fast[key], slow[key], f"{path}.{key}")
    elif isinstance(fast, YSeq):
        assert len(fast) == len(slow), path
        assert fast.pos == slow.pos, f"{path}: position"
        for index, (a, b) in enumerate(zip(fast, slow, strict=True)):
            if a is not None:
                assert fast.ipos[index] == slow.ipos[index], f"{path}[{index}]: position"
            _same(a, b, f"{path}[{index}]")
    else:
        assert fast == slow, path


def _check(text: str) -> bool:
    """True when the fast parser handled the text (and agreed with ruamel), False when it declined."""
    try:
        fast = fastyaml.parse(text)
    except fastyaml.Unsupported:
        return False
    slow = _parse_with_ruamel(text)
    assert len(fast) == len(slow)
    for f, s in zip(fast, slow, strict=True):
        assert f.pos == s.pos
        _same(f.data, s.data)
    return True


HANDLED = [
    'a: 1\nb:\nc: |\n  x\n  y\nd:\n  - p\n  - q: 1\n    r: [1, "x"]\n  -\n    s: 2\ne: {file: x.py}\nf: "q"\n',
    "---\na: 1\n---\n# empty\n---\nb: 2\n",
    "- a\n- b: 1\n  c: 2\n- - x\n  - y\n-\n- [ ]\n- []\n- {}\n",
    "a: \"x\\ny\\u00e9\"\nb: 'it''s'   # c\nc: [a, 'b', \"c\", 1, 2.5, true, null]\n"
    'd: {a: 1, \'b\': x y, "c": "z"}\n',
    "code: |-\n  def f():\n      return 1\n\n  # comment inside\n\nnext: 2\n",
    "code: |\n\n  leading blank\n\n\n",
    "  a: 1\n  b: 2\n",
    "a:\n- 1\n- 2\nb: 3\n",
    "url: https://hooks.example.com/x?a=b#frag\nx: a#b\ny: -1\nz: -x\nw: 1.5e3\n",
    "a: yes\nb: No\nc: ~\nd: NULL\ne: 0\nf: -0\ng: .5\nh: 01:00:00\n",
    "key with spaces: v\n\"q key\": 1\n'sq': 2\n",
    "list:\n  - |\n    text\n  - after\n",
    "settings:\n  queue_id: ${ref.Queue.q-1.id}\n  text: hello ${var.x} world\n",
    "a:\n  # comment at another indent\n    b: 1\n",
    "-  a: 1\n   b: 2\n- x: [\"a, b\", 'c]d']\n",
]

DECLINED = [
    "a: 1\na: 2\n",  # duplicate key: ruamel reports it
    "a: b: c\n",  # syntax error
    "a: |\n  x",  # block scalar without final newline
    "a: x\n  continued\n",  # multi-line plain scalar
    "a: 'x' trailing\n",
    "a: [a, ]\n",
    "x: 2024-01-01\n",  # timestamp
    "a: {x: [1]}\n",  # nested flow
    "a: &anchor 1\nb: *anchor\n",
    "a: !tag x\n",
    "a: >\n  folded\n",
    "a:\tb\n",
    "a: 0x1F\n",
    "? complex\n: key\n",
    "%YAML 1.2\n---\na: 1\n",
    "a: 1\r\nb: 2\r\n",
]


@pytest.mark.parametrize("text", HANDLED)
def test_fast_parser_handles_common_yaml_exactly_like_ruamel(text: str) -> None:
    assert _check(text)


@pytest.mark.parametrize("text", DECLINED)
def test_fast_parser_declines_what_it_does_not_support(text: str) -> None:
    with pytest.raises(fastyaml.Unsupported):
        fastyaml.parse(text)


def test_fallback_gives_ruamel_values() -> None:
    docs = parse_documents("a: &x 5\nb: *x\nwhen: 2024-01-02\nfolded: >\n  one\n  two\n")
    assert docs[0].data == {"a": 5, "b": 5, "when": "2024-01-02", "folded": "one two\n"}


def test_every_example_manifest_takes_the_fast_path() -> None:
    files = [p for p in EXAMPLES.rglob("*") if p.suffix in (".yaml", ".yml")]
    assert files
    for path in files:
        assert _check(path.read_text()), f"{path} fell back to ruamel.yaml"


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("a: 1\na: 2\n", 2, 1, "duplicate key 'a' in the same mapping (first written on line 1)"),
        ("a: b: c\n", 1, 5, "mapping values are not allowed here"),
        ("name: [unclosed\n", 2, 1, "expected ',' or ']'"),
        ('a: "never closed\n', 2, 1, "invalid YAML"),
        ("a:\n  - x\n y: 1\n", 3, 2, "invalid YAML"),
    ],
)
def test_syntax_errors_carry_positions(text: str, line: int, column: int, words: str) -> None:
    with pytest.raises(YamlSyntaxError) as info:
        parse_documents(text)
    assert (info.value.line, info.value.column) == (line, column)
    assert words in info.value.message


# -- randomised comparison -----------------------------------------------------------------------------------------

_WORDS = [
    "a",
    "name",
    "queue-1",
    "x y",
    "https://hooks.example.com/p?q=1",
    "${var.x}",
    "v#1",
    "-dash",
    "yes",
    "No",
    "null",
    "~",
    "12",
    "-3",
    "4.5",
    "1e3",
    "0o7",
    "0x1f",
    "00:10:00",
    "2024-05-01",
    "true",
    "it's",
    'say "hi"',
    "a: b",
    "trail:",
    "#hash",
    "[x]",
    "{y}",
    "é ü",
    "",
    " lead",
    "tail ",
    "*star",
    "&amp",
    "!bang",
    "%pct",
    "@at",
    "`tick",
    "a, b",
    "line\nbreak",
    "tab\there",
    "back\\slash",
    "?q",
    "|pipe",
    ">gt",
    "-",
    "- item",
]


def _random_value(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth > 3 or roll < 0.45:
        choice = rng.random()
        if choice < 0.6:
            return rng.choice(_WORDS)
        if choice < 0.75:
            return rng.randint(-1000, 1000)
        if choice < 0.85:
            return rng.choice([0.5, -2.25, 1e-5, 3.0])
        if choice < 0.95:
            return rng.choice([True, False])
        return None
    if roll < 0.75:
        keys = [f"k{i}{rng.choice(['', '_x', '-y', ' z'])}" for i in range(rng.randint(0, 4))]
        return {key: _random_value(rng, depth + 1) for key in keys}
    return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]


def _dump(value: Any, rng: random.Random) -> str:
    yaml = YAML(typ="rt")
    yaml.default_flow_style = rng.choice([False, None])
    mapping = rng.choice([2, 4])
    offset = rng.choice([0, 2])
    yaml.indent(mapping=mapping, sequence=offset + 2, offset=offset)
    yaml.width = 4096
    stream = io.StringIO()
    yaml.dump_all([value, {"second": value}], stream)
    return stream.getvalue()


def test_random_documents_parse_identically_or_fall_back() -> None:
    rng = random.Random(20260529)
    handled = 0
    for _ in range(400):
        value = {"kind": "Queue", "key": "q", "body": _random_value(rng, 0)}
        text = _dump(value, rng)
        if _check(text):
            handled += 1
    assert handled > 100  # the fast path is exercised, not just declined


def _mutate(text: str, rng: random.Random) -> str:
    """Hand-editing accidents: stray comments, indentation, trailing spaces, duplicated or damaged lines."""
    lines = text.split("\n")
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(lines))
        op = rng.randrange(8)
        if op == 0:
            lines.insert(i, " " * rng.randint(0, 6) + "# comment")
        elif op == 1:
            lines[i] = " " + lines[i]
        elif op == 2:
            lines[i] = lines[i][1:]
        elif op == 3:
            lines[i] += "  "
        elif op == 4:
            lines.insert(i, lines[i])
        elif op == 5:
            lines[i] += " # trailing"
        elif op == 6:
            lines.insert(i, "")
        elif lines[i]:
            j = rng.randrange(len(lines[i]))
            lines[i] = lines[i][:j] + rng.choice(":- '\"#[]{},|\\") + lines[i][j:]
    return "\n".join(lines)


def test_damaged_documents_parse_identically_or_fall_back() -> None:
    """The fast parser never accepts text ruamel.yaml rejects, and never reads it differently."""
    rng = random.Random(7)
    handled = 0
    for _ in range(600):
        text = _mutate(_dump({"kind": "Hook", "key": "h", "body": _random_value(rng, 0)}, rng), rng)
        try:
            fastyaml.parse(text)
        except fastyaml.Unsupported:
            continue
        handled += 1
        assert _check(text), text
    assert handled > 100
