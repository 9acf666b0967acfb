"""Command-line input that used to escape as an internal error or block: JSON the API would not take (NaN,
Infinity, numbers out of range or of thousands of digits, nesting deeper than the interpreter's stack, undecodable
bytes), ids written with non-ASCII digits or beyond 64 bits, input files that are pipes nobody writes to or never
end."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rossum_iac.errors import UsageError
from rossum_iac.ops import inputs


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": NaN}', "NaN is not a JSON value"),
        ('{"a": -Infinity}', "-Infinity is not a JSON value"),
        ('{"a": 1e400}', "the number 1e400 is out of range"),
        ('{"a": ' + "9" * 5000 + "}", "a number has 5,000 digits"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"a": "\udcff"}', "not UTF-8 text (character 8)"),
    ],
)
def test_json_the_api_would_not_take_is_a_usage_error(text: str, message: str) -> None:
    with pytest.raises(UsageError, match="^--data: .*" + message.replace("(", r"\(").replace(")", r"\)")):
        inputs.parse_json(text, "--data")


def test_large_but_valid_numbers_still_parse() -> None:
    assert inputs.parse_json('{"a": ' + "9" * 4300 + ', "b": 1.5e300}', "--data")["b"] == 1.5e300


@pytest.mark.parametrize("raw", ["\u00b2", "\u0661\u0662", "9" * 30, str(2**63), "0"])
def test_ids_are_ascii_digits_within_64_bits(raw: str) -> None:
    with pytest.raises(UsageError, match="is not a positive integer"):
        inputs.parse_id(raw, "annotation")
    with pytest.raises(UsageError, match="is not a positive integer"):
        inputs.parse_ids([raw], "annotation")
    assert inputs.parse_id(str(2**63 - 1), "annotation") == 2**63 - 1


def test_assignment_values_must_be_utf8() -> None:
    with pytest.raises(UsageError, match="not UTF-8"):
        inputs.parse_assignments(["amount=\udcff"])


def test_input_files_that_never_end_or_never_start(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.json")
    with pytest.raises(UsageError, match="the file is empty"):  # nobody writes to it: read as empty, not waited on
        inputs.load_json_file(tmp_path / "pipe.json", "--operations")
    with pytest.raises(UsageError, match="larger than 10 MB"):
        inputs.load_json_file("/dev/zero", "--operations")
    (tmp_path / "nan.json").write_text('{"a": NaN}')
    with pytest.raises(UsageError, match=r"nan\.json: invalid JSON: NaN"):
        inputs.load_json_file(tmp_path / "nan.json", "--operations")
