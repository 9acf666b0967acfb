"""Reading YAML: values, positions and errors.

ruamel.yaml's round-trip loader is the reference: files read from the C parser's events must give exactly its
values and positions, and files handed over to it (tags, merge keys, syntax errors...) must give its result.
"""

from __future__ import annotations

import io
import random
import time
import warnings
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from rossum_iac.manifest import yaml_io
from rossum_iac.manifest.yaml_io import (
    MAX_DEPTH,
    MAX_NODES,
    CParser,
    YamlSyntaxError,
    YMap,
    YSeq,
    _Fallback,
    _parse_events,
    _parse_with_ruamel,
    from_ruamel,
    parse_documents,
    plain,
)

from .helpers import EXAMPLES


def _same(fast: Any, slow: Any, path: str = "$") -> None:
    assert type(fast) is type(slow), f"{path}: {type(fast).__name__} != {type(slow).__name__}"
    if isinstance(fast, YMap):
        assert list(fast) == list(slow), path
        assert fast.pos == slow.pos, f"{path}: position"
        for key in fast:
            assert fast.kpos.get(key) == slow.kpos.get(key), f"{path}.{key}: key position"
            if fast[key] is not None:  # ruamel places an empty value at the next token
                assert fast.vpos.get(key) == slow.vpos.get(key), f"{path}.{key}: value position"
            _same(fast[key], slow[key], f"{path}.{key}")
    elif isinstance(fast, YSeq):
        assert len(fast) == len(slow), path
        assert fast.pos == slow.pos, f"{path}: position"
        for index, (a, b) in enumerate(zip(fast, slow, strict=True)):
            if a is not None:
                assert fast.ipos[index] == slow.ipos[index], f"{path}[{index}]: position"
            _same(a, b, f"{path}[{index}]")
    elif isinstance(fast, float) and fast != fast:
        assert slow != slow, path  # nan
    else:
        assert fast == slow, path


def _check(text: str) -> bool:
    """True when the text was read from the C parser's events, False when it went to the round-trip loader.

    Either way ``parse_documents`` must give what ruamel.yaml's round-trip loader gives, or the same error.
    """
    try:
        slow = _parse_with_ruamel(text)
    except YamlSyntaxError as exc:
        with pytest.raises(YamlSyntaxError) as info:
            parse_documents(text)
        assert (info.value.message, info.value.line, info.value.column) == (exc.message, exc.line, exc.column)
        return False
    try:
        _parse_events(text)
        handled = True
    except _Fallback:
        handled = False
    fast = parse_documents(text)
    assert len(fast) == len(slow)
    for f, s in zip(fast, slow, strict=True):
        assert (f.pos, f.index) == (s.pos, s.index)
        _same(f.data, s.data)
    return handled


def test_the_c_parser_is_installed() -> None:
    """ruamel.yaml.clib is a dependency; without it every file would take the slow pure-Python parser."""
    assert CParser is not None


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
    "a: |\n  x",  # block scalar without final newline
    "a: x\n  continued\n",  # multi-line plain scalar
    "a: [a, ]\n",
    "x: 2024-01-01\ny: 2024-01-02T10:00:00Z\n",  # timestamps: ISO text
    "a: {x: [1, {y: z}]}\n",  # nested flow
    "a: &anchor 1\nb: *anchor\nc: &m {x: [1, 2]}\nd: *m\ne: [*m, *anchor]\n",
    "a: >\n  folded\n  text\n\n  more\n",
    "a: 0x1F\nb: 0o17\nc: 017\nd: 1_000\ne: .inf\nf: -.Inf\ng: 0b11\nh: +5\n",
    "? complex\n: key\n",
    "%YAML 1.2\n---\na: 1\n",
    "a: 1\r\nb: 2\r\n",
    "\ufeffa: 1\n",
    "1: one\nfalse: f\nnull: n\n2.5: f\n2024-01-01: d\n",  # keys of other types become text
    "a: \"multi\n  line\"\nb: 'also\n\n  this'\n",
    "--- 5\n--- text\n--- false\n--- ~\n--- ''\n",  # scalar documents (null ones are skipped)
    "a: &x\n  b: 1\nc: *x\n",
    "a: é ü 😀\nb: [é, 😀]\n",
]

FALLBACK = [
    "a: !tag x\n",
    "a: !!str 12\n",
    "base: &b {x: 1, y: 2}\nobj:\n  <<: *b\n  y: 3\n",
    "%YAML 1.1\n---\na: yes\n",
    "? [a, b]\n: c\n",
    "a:\tb\n",  # a tab after the colon: ruamel.yaml refuses it, libyaml does not
    "code: |\n  if x:\n  \treturn\n",  # a tab inside a block scalar
    "a: x\u2028y\n",
    "a: b: c\n",
    "a: 'x' trailing\n",
    "a: *undefined\n",
    "--- !custom\n- a\n",  # tagged lists have no positions in ruamel.yaml
    "a: !x\n  - b\nc: !!omap\n  - d: 1\n",
]


@pytest.mark.parametrize("text", HANDLED)
def test_c_parser_events_give_exactly_what_ruamel_gives(text: str) -> None:
    assert _check(text)


def test_without_the_c_extension_the_pure_python_parser_gives_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_io, "CParser", None)
    for text in HANDLED:
        assert _check(text), text
    with pytest.raises(YamlSyntaxError, match="too many aliases"):
        parse_documents(_laughs())


@pytest.mark.parametrize("text", FALLBACK)
def test_what_only_ruamel_reads_exactly_goes_to_ruamel(text: str) -> None:
    with pytest.raises(_Fallback):
        _parse_events(text)
    try:
        expected = _parse_with_ruamel(text)
    except YamlSyntaxError as exc:
        with pytest.raises(YamlSyntaxError) as info:
            parse_documents(text)
        assert (info.value.message, info.value.line, info.value.column) == (exc.message, exc.line, exc.column)
        return
    assert not _check(text)
    assert [d.data for d in parse_documents(text)] == [d.data for d in expected]


def test_values() -> None:
    docs = parse_documents(
        "a: &x 5\nb: *x\nwhen: 2024-01-02\nat: 2024-01-02T10:00:00Z\nfolded: >\n  one\n  two\n"
        "yes: no\non: off\nt: &t true\nu: *t\nn: ~\nhex: 0x1F\noctal: 0o17\nlead: 017\nnum: 1_000\n"
        "f: 1e3\ninf: -.inf\nduration: 01:00:00\nversion: 3.0.1\nempty:\nquoted: '12'\n"
    )
    assert plain(docs[0].data) == {
        "a": 5,
        "b": 5,
        "when": "2024-01-02",
        "at": "2024-01-02T10:00:00+00:00",
        "folded": "one two\n",
        "yes": "no",
        "on": "off",
        "t": True,
        "u": True,
        "n": None,
        "hex": 31,
        "octal": 15,
        "lead": 17,
        "num": 1000,
        "f": 1000.0,
        "inf": float("-inf"),
        "duration": "01:00:00",
        "version": "3.0.1",
        "empty": None,
        "quoted": "12",
    }
    types = {key: type(value) for key, value in docs[0].data.items()}
    assert types["t"] is bool and types["a"] is int and types["f"] is float and types["when"] is str


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=12))
def test_a_scalar_not_typed_by_its_first_character_is_the_string_the_resolver_gives(text: str) -> None:
    """The shortcut of ``_plain``: a first character outside the resolver's table means a string."""
    try:
        typed = yaml_io._typed_plain(text)
    except yaml_io._BadScalar:  # looks like a number or a date but is none: no shortcut may hide that
        with pytest.raises(yaml_io._BadScalar):
            yaml_io._plain(text)
        return
    shortcut = yaml_io._plain(text)
    assert repr(shortcut) == repr(typed) and type(shortcut) is type(typed)  # repr: nan is not nan


def test_the_typed_first_characters_are_those_of_numbers_booleans_nulls_and_special_keys() -> None:
    assert set("0123456789-+.tTfFnN~=<") <= yaml_io._TYPED_STARTS
    assert not {"a", "h", "I", "x", "/", "_"} & yaml_io._TYPED_STARTS
    assert yaml_io._plain("invoice_id") == "invoice_id" and yaml_io._plain("null") is None


def test_keys_are_compared_as_text() -> None:
    """ruamel.yaml calls ``1`` and ``true`` the same key (Python's 1 == True); as text they differ."""
    assert plain(parse_documents("1: a\ntrue: b\n0: c\nfalse: d\n")[0].data) == {
        "1": "a",
        "true": "b",
        "0": "c",
        "false": "d",
    }


def test_merge_keys() -> None:
    docs = parse_documents("base: &b {x: 1, y: 2}\nobj:\n  a: 0\n  <<: *b\n  y: 3\n")
    obj = docs[0].data["obj"]
    assert list(obj.items()) == [("a", 0), ("y", 3), ("x", 1)]
    assert obj.key_pos("y") == (5, 3) and obj.key_pos("x") == obj.pos == (3, 3)


def test_positions() -> None:
    text = "# comment\nkind: Queue\nsettings:\n  columns:\n    - schema_id: a\n    - [x, 'y']\n  n: {k: v}\nempty:\n"
    [doc] = parse_documents(text)
    assert doc.pos == doc.data.pos == (2, 1)
    data = doc.data
    assert data.key_pos("kind") == (2, 1) and data.value_pos("kind") == (2, 7)
    settings = data["settings"]
    assert data.value_pos("settings") == settings.pos == (4, 3)
    columns = settings["columns"]
    assert columns.pos == (5, 5) and columns.ipos == [(5, 7), (6, 7)]
    assert columns[0].key_pos("schema_id") == (5, 7) and columns[0].value_pos("schema_id") == (5, 18)
    assert columns[1].ipos == [(6, 8), (6, 11)]
    assert settings["n"].pos == (7, 6) and settings["n"].value_pos("k") == (7, 10)
    assert data.value_pos("empty") == data.key_pos("empty") == (8, 1)


def test_documents_and_their_positions() -> None:
    docs = parse_documents("a: 1\n---\n---\n# c\n...\n---\n  b: 2\n--- 5\n")
    assert [(d.data, d.pos, d.index) for d in docs] == [({"a": 1}, (1, 1), 0), ({"b": 2}, (7, 3), 1), (5, (0, 0), 2)]
    assert parse_documents("") == [] and parse_documents("# only a comment\n---\n") == []


def test_an_anchor_may_be_redefined_without_a_warning() -> None:
    text = "a: &x 1\nb: *x\nc: &x 2\nd: *x\n"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert plain(parse_documents(text)[0].data) == {"a": 1, "b": 1, "c": 2, "d": 2}
        assert plain(parse_documents("t: !tag x\n" + text)[0].data)["d"] == 2  # the round-trip path


def test_aliases_are_copies_at_the_anchored_position() -> None:
    [doc] = parse_documents("a: &m {x: [1, 2]}\nb: *m\n")
    a, b = doc.data["a"], doc.data["b"]
    assert a == b and a is not b and a["x"] is not b["x"]
    assert b.pos == a.pos == doc.data.value_pos("b") == (1, 4)
    assert b["x"].ipos == [(1, 12), (1, 15)]


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("a: 1\na: 2\n", 2, 1, "duplicate key 'a' in the same mapping (first written on line 1)"),
        ("x: 0\na: 1\nb: 2\na: 3\n", 4, 1, "duplicate key 'a' in the same mapping (first written on line 2)"),
        ("top:\n  x: 0\n  a: 1\n  a: 2\n", 4, 3, "duplicate key 'a' in the same mapping (first written on line 3)"),
        ("- {k: 1, k: 2}\n", 1, 10, "duplicate key 'k' in the same mapping (first written on line 1)"),
        ("1: a\n'1': b\n", 2, 1, "duplicate key '1' in the same mapping (first written on line 1)"),
        ("a: b: c\n", 1, 5, "mapping values are not allowed here"),
        ("name: [unclosed\n", 2, 1, "expected ',' or ']'"),
        ('a: "never closed\n', 2, 1, "invalid YAML"),
        ("a:\n  - x\n y: 1\n", 3, 2, "invalid YAML"),
        ("a: *nope\n", 1, 4, "found undefined alias 'nope'"),
        ("a:\tb\n", 1, 3, "found character '\\t' that cannot start any token"),
        ("a: \ud800\n", 1, 4, "special characters are not allowed"),
        ("a: 1\n---\nb: 2\nb: 3\n", 4, 1, "duplicate key 'b' in the same mapping (first written on line 3)"),
    ],
)
def test_syntax_errors_carry_positions(text: str, line: int, column: int, words: str) -> None:
    with pytest.raises(YamlSyntaxError) as info:
        parse_documents(text)
    assert (info.value.line, info.value.column) == (line, column)
    assert words in info.value.message


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("when: 2024-13-45\n", 7, "'2024-13-45' looks like a date or time but is not one (month must be in 1..12)"),
        ("when: [2024-02-30]\n", 8, "'2024-02-30' looks like a date or time but is not one (day is out of range"),
        ("n: 0x_\n", 4, "'0x_' looks like a number but is not one; quote it if it is text"),
        ("n: +_\n", 4, "'+_' looks like a number"),
        ("n: " + "9" * 5000 + "\n", 4, "'9999999999999999999999999999999999999...' looks like a number"),
        ("2024-13-45: x\n", 1, "looks like a date or time"),
    ],
)
def test_scalars_ruamel_cannot_construct_are_errors_with_a_position(text: str, column: int, words: str) -> None:
    """ruamel.yaml's constructors raise ValueError/IndexError on these (a traceback before)."""
    with pytest.raises(YamlSyntaxError) as info:
        parse_documents(text)
    assert (info.value.line, info.value.column) == (1, column)
    assert words in info.value.message
    with pytest.raises(YamlSyntaxError, match="a value cannot be read"):
        _parse_with_ruamel(text)


def test_a_syntax_error_in_a_document_wins_over_a_duplicate_key_in_it() -> None:
    """Like ruamel.yaml: a document is parsed before its keys are checked."""
    with pytest.raises(YamlSyntaxError) as info:
        parse_documents("a: 1\na: 2\nb: [\n")
    assert "expected" in info.value.message and info.value.line == 4


def test_every_example_manifest_is_read_from_c_parser_events() -> None:
    files = [p for p in EXAMPLES.rglob("*") if p.suffix in (".yaml", ".yml")]
    assert files
    for path in files:
        assert _check(path.read_text()), f"{path} went to the round-trip loader"


# -- hostile input -----------------------------------------------------------------------------------------------------


def _laughs(levels: int = 9, width: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_fails_fast_with_a_position() -> None:
    start = time.perf_counter()
    with pytest.raises(YamlSyntaxError) as info:
        parse_documents(_laughs())
    # unbounded, nine levels of nine aliases never finish; the bound stops long before (about 0.4 s here, and the
    # generous limit only keeps a loaded CI machine from failing the test: speed figures belong in bench/)
    assert time.perf_counter() - start < 30
    assert "too many aliases" in info.value.message
    assert info.value.line == 7 and info.value.column > 1  # the first alias of a6 (9**6 values each)


def test_billion_laughs_fails_fast_on_the_round_trip_path_too() -> None:
    """A file that goes to ruamel.yaml (here: a tag) is bounded as well, and so is a direct conversion."""
    start = time.perf_counter()
    with pytest.raises(YamlSyntaxError, match="too many aliases"):
        parse_documents("tagged: !thing x\n" + _laughs())
    raw = YAML(typ="rt").load(_laughs())
    with pytest.raises(YamlSyntaxError, match="too many aliases") as info:
        from_ruamel(raw)
    assert info.value.line > 0
    assert time.perf_counter() - start < 30


def test_many_aliases_below_the_bound_are_expanded() -> None:
    docs = parse_documents(_laughs(levels=4))  # 9**5 strings
    assert len(docs[0].data["a4"]) == 9 and docs[0].data["a4"][8][8][8][8][8] == "lol"
    assert MAX_NODES >= 1_000_000


@pytest.mark.parametrize("style", ["flow", "block"])
def test_nesting_deeper_than_the_bound_is_an_error_not_a_crash(style: str) -> None:
    for depth in (MAX_DEPTH + 1, 20_000):
        if style == "flow":
            text = "a: " + "[" * depth + "]" * depth + "\n"
        else:
            text = "".join(f"{'  ' * i}k{i}:\n" for i in range(depth)) if depth < 1000 else "- " * depth + "x\n"
        with pytest.raises(YamlSyntaxError) as info:
            parse_documents(text)
        assert "nested too deeply" in info.value.message
        assert info.value.line > 0 and info.value.column > 0


def test_nesting_up_to_the_bound_is_read() -> None:
    depth = MAX_DEPTH - 1
    docs = parse_documents("a: " + "[" * depth + "]" * depth + "\n")
    value = docs[0].data["a"]
    for _ in range(depth - 1):
        value = value[0]
    assert value == []


def test_an_alias_inside_its_own_anchor_is_an_error() -> None:
    with pytest.raises(YamlSyntaxError, match="refers to a value that contains it"):
        parse_documents("a: &x [1, *x]\n")


# -- randomised comparison with ruamel.yaml ----------------------------------------------------------------------------

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


def test_random_documents_parse_identically() -> None:
    rng = random.Random(20260529)
    handled = 0
    for _ in range(400):
        value = {"kind": "Queue", "key": "q", "body": _random_value(rng, 0)}
        text = _dump(value, rng)
        handled += _check(text)
    assert handled > 300  # the C parser's events, not the round-trip loader, read most of them


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


def test_damaged_documents_parse_identically_or_fail_alike() -> None:
    """Hand-edited YAML: the same values as ruamel.yaml, or an error where ruamel.yaml has one (same position)."""
    rng = random.Random(7)
    read = failed = 0
    for _ in range(600):
        text = _mutate(_dump({"kind": "Hook", "key": "h", "body": _random_value(rng, 0)}, rng), rng)
        try:
            expected = _parse_with_ruamel(text)
        except YamlSyntaxError as exc:
            with pytest.raises(YamlSyntaxError) as info:
                parse_documents(text)
            if "duplicate key" in exc.message:  # the first duplicate in the text, and the line of its first use
                assert "duplicate key" in info.value.message, text
            else:
                assert (info.value.message, info.value.line, info.value.column) == (exc.message, exc.line, exc.column)
            failed += 1
            continue
        got = parse_documents(text)
        assert len(got) == len(expected), text
        for f, s in zip(got, expected, strict=True):
            assert f.pos == s.pos, text
            _same(f.data, s.data)
        read += 1
    assert read > 300 and failed > 30
