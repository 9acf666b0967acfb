"""Every bad input is one line on stderr, exit code 1, and no request reaches the API."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_docs.conftest import DocsEnv


def run_bad(env: DocsEnv, args: list[str], message: str) -> None:
    result = env.cli(*args)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    if lines[0].startswith("Usage: "):  # click's usage errors: usage line, help hint, then the error
        assert lines[1].startswith("Try '") and "--help" in lines[1], result.stderr
        lines = lines[-1:]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert message in lines[0], lines[0]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--metadata", '{"a": }'], "--metadata: invalid JSON at position 7: Expecting value"),
        (["--metadata", "[1, 2]"], "--metadata: expected a JSON object, got array"),
        (["--values", "{'x': 1}"], "--values: invalid JSON at position 2: Expecting property name"),
        (["--concurrency", "0"], "--concurrency must be between 1 and 32, got 0"),
        (["--concurrency", "many"], "'many' is not a valid integer"),
        (["--timeout", "0"], "--timeout must be a positive number, got 0"),
        (["--stack", "ap"], "--stack is only used with a queue key"),
    ],
)
def test_upload_option_errors(no_requests: DocsEnv, extra: list[str], message: str):
    path = no_requests.files(1)[0]
    run_bad(no_requests, ["documents", "upload", str(path), "--queue", str(no_requests.queue_id), *extra], message)


def test_upload_missing_file_among_good_ones(no_requests: DocsEnv, tmp_path: Path):
    good = no_requests.files(2)
    missing = tmp_path / "nope.pdf"
    run_bad(
        no_requests,
        ["documents", "upload", str(good[0]), str(missing), str(good[1]), "--queue", "invoices-eu"],
        f"no such file: {missing}",
    )


def test_upload_directory(no_requests: DocsEnv, tmp_path: Path):
    run_bad(no_requests, ["documents", "upload", str(tmp_path), "--queue", "1"], "is a directory, not a file")


def test_upload_without_files_or_queue(no_requests: DocsEnv):
    run_bad(no_requests, ["documents", "upload", "--queue", "1"], "give at least one file to upload")
    path = no_requests.files(1)[0]
    run_bad(no_requests, ["documents", "upload", str(path)], "--queue is required")
    run_bad(no_requests, ["documents", "upload", str(path), "--queue", "bad key!"], "neither a queue id nor a manifest")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["annotations", "list", "--queue", "1", "--status", "to-review"], "unknown annotation status 'to-review'"),
        (["annotations", "list", "--queue", "1", "--status", "to_review,done"], "unknown annotation status 'done'"),
        (["annotations", "list"], "--queue is required"),
        (["annotations", "list", "--queue", "1", "--arrived-after", "last week"], "is not an ISO 8601"),
        (["annotations", "list", "--queue", "1", "--ordering", "created at"], "is not an ordering key"),
        (["annotations", "list", "--queue", "1", "--limit", "0"], "--limit must be a positive number"),
        (["annotations", "show", "abc"], "annotation id 'abc' is not a positive integer"),
        (["annotations", "search"], "give exactly one of --query JSON and --text STRING"),
        (["annotations", "search", "--query", "{}", "--text", "x"], "give exactly one of --query JSON and --text"),
        (["annotations", "search", "--query", '{"status": '], "--query: invalid JSON at position 12"),
        (["annotations", "confirm"], "give at least one annotation id"),
        (["annotations", "confirm", "12", "x"], "annotation id 'x' is not a positive integer"),
        (["annotations", "update", "12"], "give either --set SCHEMA_ID=VALUE"),
        (["annotations", "update", "12", "--set", "a=1", "--data", "{}"], "give either --set SCHEMA_ID=VALUE"),
        (["annotations", "update", "12", "--set", "novalue"], "--set 'novalue': expected schema_id=value"),
        (["annotations", "update", "12", "--data", "{"], "--data: invalid JSON at position 2"),
        (["annotations", "update", "12", "--data", "{}"], "--data: the JSON object is empty"),
        (["annotations", "bulk-update", "12"], "--operations FILE is required"),
        (["annotations", "wait", "12", "--until", "finished"], "--until: unknown annotation status 'finished'"),
        (["annotations", "wait", "12", "--timeout", "-1"], "--timeout must be a positive number"),
        (["annotations", "export", "--queue", "1"], "--format is required"),
        (["annotations", "export", "--queue", "1", "--format", "pdf"], "--format: unknown format 'pdf'"),
        (["annotations", "export", "--format", "csv"], "--queue is required"),
        (["annotations", "export", "--queue", "1", "--format", "csv", "--to-status", "done"], "--to-status: must be"),
        (["annotations", "export", "--queue", "1", "--format", "json", "--columns", "a"], "--columns only applies"),
        (["annotations", "export", "--queue", "1", "--format", "csv", "--status", "nope"], "unknown annotation status"),
        (["documents", "show", "-3"], "No such option '-3'"),
        (["documents", "download", "0"], "document id '0' is not a positive integer"),
        (["documents", "list", "--stack", "ap"], "--stack is only used together with --queue KEY"),
        (["tasks", "wait", "5", "--timeout", "0"], "--timeout must be a positive number"),
        (["tasks", "show", "five"], "task id 'five' is not a positive integer"),
        (["annotations", "frobnicate"], "No such command 'frobnicate'"),
    ],
)
def test_argument_errors(no_requests: DocsEnv, args: list[str], message: str):
    run_bad(no_requests, args, message)


def test_operations_file_errors(no_requests: DocsEnv, tmp_path: Path):
    ops = tmp_path / "ops.json"
    ops.write_text('{"operations": [\n  {"op": "replace", "id": 1, "value": }\n]}')
    run_bad(
        no_requests,
        ["annotations", "bulk-update", "12", "--operations", str(ops)],
        f"--operations {ops}: invalid JSON at line 2 column 39",
    )
    run_bad(
        no_requests,
        ["annotations", "bulk-update", "12", "--operations", str(tmp_path / "missing.json")],
        "--operations: no such file",
    )


def test_export_output_directory_missing(no_requests: DocsEnv, tmp_path: Path):
    out = tmp_path / "no-such-dir" / "x.csv"
    run_bad(
        no_requests,
        ["annotations", "export", "--queue", "1", "--format", "csv", "-o", str(out)],
        "directory " + str(out.parent) + " does not exist",
    )


def test_no_credentials_is_one_line(no_requests: DocsEnv):
    result = no_requests.runner.invoke(
        __import__("rossum_iac.cli.main", fromlist=["main"]).main,
        ["annotations", "show", "5", "--base-url", no_requests.emu.base_url],
        env={"ROSSUM_API_TOKEN": "", "ROSSUM_TOKEN": "", "ROSSUM_USERNAME": "", "ROSSUM_PASSWORD": ""},
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no API credentials")
