"""Input checks that run before any request: JSON options, statuses, ids, files, output paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from rossum_iac.errors import UsageError
from rossum_iac.ops import inputs


def test_parse_json_object():
    assert inputs.parse_json('{"a": 1}', "--metadata") == {"a": 1}


def test_parse_json_reports_position_of_error():
    with pytest.raises(UsageError, match=r"^--metadata: invalid JSON at position 7: Expecting value$"):
        inputs.parse_json('{"a": }', "--metadata")


def test_parse_json_multiline_reports_line_and_column():
    with pytest.raises(UsageError, match=r"--values: invalid JSON at line 2 column 7"):
        inputs.parse_json('{\n "a": ,\n}', "--values")


def test_parse_json_wrong_type():
    with pytest.raises(UsageError, match=r"--values: expected a JSON object, got array"):
        inputs.parse_json("[1]", "--values")


def test_load_json_file_errors_name_file(tmp_path: Path):
    bad = tmp_path / "ops.json"
    bad.write_text('{"operations": [\n  {"op": "remove",}\n]}')
    with pytest.raises(
        UsageError, match=rf"--operations {bad}: invalid JSON at line 2 column 19: Expecting property name"
    ):
        inputs.load_json_file(bad, "--operations")
    with pytest.raises(UsageError, match="--operations: no such file"):
        inputs.load_json_file(tmp_path / "missing.json", "--operations")
    with pytest.raises(UsageError, match="is a directory"):
        inputs.load_json_file(tmp_path, "--operations")


def test_parse_operations_accepts_wrapped_and_bare_lists(tmp_path: Path):
    wrapped = tmp_path / "w.json"
    wrapped.write_text('{"operations": [{"op": "remove", "id": 5}]}')
    bare = tmp_path / "b.json"
    bare.write_text('[{"op": "replace", "id": 5, "value": {"content": {"value": "x"}}}]')
    assert inputs.parse_operations(wrapped) == [{"op": "remove", "id": 5}]
    assert inputs.parse_operations(bare)[0]["op"] == "replace"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "non-empty list"),
        ('[{"op": "move", "id": 1}]', "operation 1: 'op' must be replace, add or remove"),
        ('[{"op": "remove"}]', "operation 1 has no 'id'"),
        ('[{"op": "remove", "id": 1}, {"op": "replace", "id": 2}]', r"operation 2 \(replace\) has no 'value'"),
        ("[3]", "operation 1 is not a JSON object"),
    ],
)
def test_parse_operations_rejects_bad_shapes(tmp_path: Path, text: str, message: str):
    path = tmp_path / "ops.json"
    path.write_text(text)
    with pytest.raises(UsageError, match=message):
        inputs.parse_operations(path)


def test_parse_statuses_validates_against_documented_statuses():
    assert inputs.parse_statuses("to_review, postponed,to_review") == ["to_review", "postponed"]
    assert inputs.parse_statuses(None) == []
    with pytest.raises(UsageError, match="--status: unknown annotation status 'to-review'"):
        inputs.parse_statuses("to-review")
    with pytest.raises(UsageError, match="give at least one status"):
        inputs.parse_statuses(" , ")


def test_parse_ordering():
    assert inputs.parse_ordering("-created_at,id") == ["-created_at", "id"]
    with pytest.raises(UsageError, match="is not an ordering key"):
        inputs.parse_ordering("created at")


@pytest.mark.parametrize(
    "value", ["2024-05-01", "2024-05-01T12:00:00Z", "2024-05-01 12:00:00", "2024-05-01T12:00+02:00"]
)
def test_parse_timestamp_accepts_iso(value: str):
    assert inputs.parse_timestamp(value, "--arrived-after") == value


def test_parse_timestamp_rejects_other_text():
    with pytest.raises(UsageError, match="--arrived-after: 'yesterday' is not an ISO 8601"):
        inputs.parse_timestamp("yesterday", "--arrived-after")


def test_parse_ids():
    assert inputs.parse_ids(["3", "4,5", "3"], "annotation") == [3, 4, 5]
    with pytest.raises(UsageError, match="annotation id 'x1' is not a positive integer"):
        inputs.parse_ids(["x1"], "annotation")
    with pytest.raises(UsageError, match="annotation id '0'"):
        inputs.parse_ids(["0"], "annotation")


def test_parse_assignments():
    assert inputs.parse_assignments(["a=1", "b=x=y", "c="]) == [("a", "1"), ("b", "x=y"), ("c", "")]
    with pytest.raises(UsageError, match="expected schema_id=value"):
        inputs.parse_assignments(["novalue"])
    with pytest.raises(UsageError, match="'a' is given twice"):
        inputs.parse_assignments(["a=1", "a=2"])
    with pytest.raises(UsageError, match="is not a schema id"):
        inputs.parse_assignments(["a b=1"])


def test_check_upload_files(tmp_path: Path):
    good = tmp_path / "a.pdf"
    good.write_bytes(b"%PDF-1")
    assert inputs.check_upload_files([str(good)]) == [good]
    with pytest.raises(UsageError, match=r"no such file: .*missing.pdf"):
        inputs.check_upload_files([str(good), str(tmp_path / "missing.pdf")])
    with pytest.raises(UsageError, match="is a directory"):
        inputs.check_upload_files([str(tmp_path)])
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(UsageError, match="is empty"):
        inputs.check_upload_files([str(empty)])
    with pytest.raises(UsageError, match="given twice"):
        inputs.check_upload_files([str(good), str(tmp_path / "." / "a.pdf")])


def test_check_upload_files_size_limit(tmp_path: Path):
    big = tmp_path / "big.pdf"
    with big.open("wb") as handle:
        handle.truncate(inputs.MAX_UPLOAD_BYTES + 1)
    with pytest.raises(UsageError, match="at most 40 MB"):
        inputs.check_upload_files([str(big)])


def test_check_upload_files_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"x")
    # Tests may run as root, for whom permission bits do not apply: simulate an unreadable file.
    monkeypatch.setattr(inputs.os, "access", lambda path, mode: Path(path) != secret)
    with pytest.raises(UsageError, match=f"cannot read {secret}: permission denied"):
        inputs.check_upload_files([str(secret)])


def test_check_output_file(tmp_path: Path):
    assert inputs.check_output_file(tmp_path / "out.csv") == tmp_path / "out.csv"
    with pytest.raises(UsageError, match="is a directory"):
        inputs.check_output_file(tmp_path)
    with pytest.raises(UsageError, match="does not exist"):
        inputs.check_output_file(tmp_path / "nope" / "out.csv")


def test_check_positive():
    assert inputs.check_positive(1.5, "--timeout") == 1.5
    with pytest.raises(UsageError, match="--timeout must be a positive number, got 0"):
        inputs.check_positive(0, "--timeout")
