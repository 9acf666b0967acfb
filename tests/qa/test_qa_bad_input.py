"""Bad input to every command: one clear line naming the argument or file, exit code 1, never a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from qa_helpers import cli, copy_examples, one_error_line


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:abc/api/v1",  # port is not a number
        "http://127.0.0.1:99999/api/v1",  # port out of range
        "http:///api/v1",  # no host
        "http://",
        "http://[::1/api/v1",  # unclosed IPv6 bracket
    ],
)
def test_malformed_base_url_is_named(url: str, tmp_path: Path) -> None:
    root = copy_examples(tmp_path / "m")
    line = one_error_line(cli("plan", str(root), "--base-url", url, env={"ROSSUM_API_TOKEN": "t" * 40}))
    assert line.startswith("Error: --base-url: ") and repr(url) in line, line


def test_malformed_url_from_the_environment_names_the_variable(tmp_path: Path) -> None:
    root = copy_examples(tmp_path / "m")
    env = {"ROSSUM_API_TOKEN": "t" * 40, "ROSSUM_API_BASE_URL": "http://127.0.0.1:port/api/v1"}
    line = one_error_line(cli("drift", str(root), env=env))
    assert line.startswith("Error: ROSSUM_API_BASE_URL: "), line


def test_environment_file_api_base_url_is_checked_offline_with_its_position(tmp_path: Path) -> None:
    root = copy_examples(tmp_path / "m")
    prod = root / "environments" / "prod.yaml"
    for bad in ("rossum.example.com/api/v1", "${env.PROD_URL}", "http://127.0.0.1:x/api/v1"):
        prod.write_text(f"api_base_url: {bad}\nvariables:\n  high_amount_threshold: 10000\n")
        result = cli("validate", str(root), "--env", "prod")
        assert result.exit_code == 1, result.output
        assert f"{prod}:1:15: error: api_base_url: " in result.stdout, result.stdout
        assert "http(s) URL" in result.stdout
        # plan reports it the same way, before any request
        result = cli("plan", str(root), "--env", "prod", env={"ROSSUM_API_TOKEN": "t" * 40})
        assert result.exit_code == 1 and f"{prod}:1:15" in result.stderr, result.output


def test_emulator_database_that_is_not_sqlite(tmp_path: Path) -> None:
    root = copy_examples(tmp_path / "m")
    not_db = tmp_path / "notes.txt"
    not_db.write_text("this is not a database\n" * 200)
    line = one_error_line(cli("plan", str(root), "--emulator", str(not_db)))
    assert line.startswith(f"Error: --emulator {not_db}: ") and "SQLite" in line, line
    assert not_db.read_text().startswith("this is not a database")  # left as it was


def test_emulator_serve_database_that_is_not_sqlite(tmp_path: Path) -> None:
    not_db = tmp_path / "notes.txt"
    not_db.write_text("this is not a database\n" * 200)
    line = one_error_line(cli("emulator", "serve", "--port", "0", "--db", str(not_db)))
    assert line.startswith(f"Error: --db {not_db}: ") and "SQLite" in line, line
    line = one_error_line(cli("emulator", "serve", "--port", "0", "--db", str(tmp_path)))
    assert line.startswith(f"Error: --db {tmp_path}: "), line


def test_a_real_emulator_database_still_opens(tmp_path: Path) -> None:
    root = copy_examples(tmp_path / "m")
    db = tmp_path / "state.sqlite3"
    sqlite3.connect(db).close()  # an empty SQLite file is a valid (new) emulator database
    result = cli("plan", str(root), "--emulator", str(db))
    assert result.exit_code == 0 and "Plan: 15 to add" in result.stdout, result.output


def test_directory_without_stack_file_reports_one_error_and_where_stacks_are(tmp_path: Path) -> None:
    """Running from a repository root without the directory argument must not list every YAML file's problems."""
    copy_examples(tmp_path / "examples" / "manifests")
    (tmp_path / "docker-compose.yml").write_text("services:\n  db: {image: postgres}\n")
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "pipeline.yaml").write_text("steps: [build, test]\n")
    result = cli("validate", str(tmp_path))
    assert result.exit_code == 1
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert len(errors) == 1, result.stdout
    assert "no rossum.yaml here" in errors[0] and "examples/manifests" in errors[0], errors[0]
    result = cli("plan", str(tmp_path), "--emulator", ":memory:")
    assert result.exit_code == 1 and result.stderr.count(": error: ") == 1, result.stderr


def test_invalid_manifests_send_nothing_to_the_api(emulator: Any, tmp_path: Path) -> None:
    root = copy_examples(tmp_path / "m")
    queue = root / "queues" / "credit-notes.yaml"
    queue.write_text(queue.read_text() + "automation_levle: never\n")  # a typo: unknown field
    emulator.request_log.clear()
    env = {"ROSSUM_API_TOKEN": emulator.token}
    for args in (["plan", str(root)], ["apply", str(root), "--auto-approve"], ["drift", str(root)],
                 ["import", "Queue/credit-notes", "1", str(root)]):
        result = cli(*args, "--base-url", emulator.base_url, env=env)
        assert result.exit_code == 1, result.output
        assert f"{queue}:" in result.stderr and "automation_levle" in result.stderr, result.stderr
        assert "nothing was sent to the API" in result.stderr
    assert list(emulator.request_log) == []


def test_debug_shows_the_traceback_and_only_then(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere")
    plain = cli("plan", missing, "--emulator", ":memory:")
    assert plain.exit_code == 1 and "Traceback" not in plain.output
    for result in (cli("--debug", "plan", missing, "--emulator", ":memory:"),
                   cli("plan", missing, "--emulator", ":memory:", env={"ROSSUM_IAC_DEBUG": "1"})):
        assert result.exit_code == 1
        assert "Traceback (most recent call last)" in result.stderr
        assert result.stderr.strip().splitlines()[-1] == plain.stderr.strip()  # same message, after the traceback
