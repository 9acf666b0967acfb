"""What the API holds, the manifests can say: values live objects carry are valid, fields rossum-iac does not know
are warnings (passed through), typos are still errors (docs/manifests.md, "Validation")."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from rossum_iac.cli.main import main
from rossum_iac.manifest.loader import load
from rossum_iac.suggest import edit_distance, typo_of

from .helpers import BASE, errors_in, one_error, write_tree


def _hook(config: str, **top: str) -> str:
    extra = "".join(f"{name}: {value}\n" for name, value in top.items())
    return "---\nkind: Hook\nkey: h\nname: H\n" + extra + "config:\n" + textwrap.indent(textwrap.dedent(config), "  ")


def _validate(root: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["validate", str(root), *args], env={"NO_COLOR": "1"}, catch_exceptions=False)


# --- fields rossum-iac does not know ------------------------------------------------------------------------------


def test_unknown_top_level_field_is_a_warning_and_is_passed_through(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.yaml": BASE + "quality_spot_check_percentage: 5\n"})
    result = load(root, None, {})
    assert result.errors == []
    [warning] = result.warnings
    assert (warning.line, warning.column, warning.severity) == (20, 1, "warning")
    assert "unknown field 'quality_spot_check_percentage' for a Queue" in warning.message
    assert "sent to the API and compared as written" in warning.message
    assert result.stack is not None
    queue = result.stack.get("Queue", "q1")
    assert queue is not None and queue.fields["quality_spot_check_percentage"] == 5


def test_validate_prints_warnings_exits_zero_and_strict_makes_them_errors(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.yaml": BASE + "quality_spot_check_percentage: 5\n"})
    plain = _validate(root)
    assert plain.exit_code == 0, plain.output
    lines = plain.output.splitlines()
    assert lines[0].startswith(f"{root / 'a.yaml'}:20:1: warning: unknown field 'quality_spot_check_percentage'")
    assert lines[-1] == "3 objects in 2 files are valid (stack demo), with 1 warning."
    strict = _validate(root, "--strict")
    assert strict.exit_code == 1
    assert f"{root / 'a.yaml'}:20:1: error: unknown field 'quality_spot_check_percentage'" in strict.output
    assert "1 error in 1 file" in strict.output


def test_validate_json_lists_warnings_apart(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.yaml": BASE + "quality_spot_check_percentage: 5\n"})
    payload = json.loads(_validate(root, "--json").output)
    assert payload["valid"] is True and payload["errors"] == []
    assert [(w["line"], w["column"]) for w in payload["warnings"]] == [(20, 1)]
    assert "quality_spot_check_percentage" in payload["warnings"][0]["message"]
    strict = json.loads(_validate(root, "--json", "--strict").output)
    assert strict["valid"] is False and strict["warnings"] == [] and len(strict["errors"]) == 1


@pytest.mark.parametrize(
    ("field", "meant"),
    [("automation_levle", "automation_level"), ("Name", "name"), ("sesion_timeout", "session_timeout"),
     ("protected", "protect")],
)  # fmt: skip
def test_a_typo_of_a_known_field_is_still_an_error(tmp_path: Path, field: str, meant: str) -> None:
    err = one_error(write_tree(tmp_path, {"a.yaml": BASE + f"{field}: x\n"}))
    assert f"unknown field '{field}' for a Queue (did you mean '{meant}'?)" in err.message


def test_unknown_config_keys_are_accepted_and_typos_in_config_are_errors(tmp_path: Path) -> None:
    hook = _hook(
        """\
        url: https://hooks.example.com/a
        retry_count_for_polling_failure: 0
        future_option: {nested: [1, null]}
        """
    )
    root = write_tree(tmp_path, {"a.yaml": BASE + hook})
    result = load(root, None, {})
    assert result.errors == [] and result.warnings == []
    assert result.stack is not None
    config = result.stack.get("Hook", "h").fields["config"]  # type: ignore[union-attr]
    assert config["future_option"] == {"nested": [1, None]}
    typo = _hook("url: https://hooks.example.com/a\ntimeout: 10\n")
    err = one_error(write_tree(tmp_path / "typo", {"a.yaml": BASE + typo}))
    assert "unknown field 'timeout' in config (did you mean 'timeout_s'?)" in err.message


def test_ignore_changes_may_name_a_declared_unknown_field(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {"a.yaml": BASE + "quality_spot_check_percentage: 5\nignore_changes: [quality_spot_check_percentage]\n"},
    )
    result = load(root, None, {})
    assert result.errors == []
    assert result.stack.get("Queue", "q1").ignore_changes == ("quality_spot_check_percentage",)  # type: ignore[union-attr]


def test_typo_detection_is_narrow() -> None:
    assert edit_distance("secrte", "secret") == 1  # a swap of neighbours is one edit
    assert typo_of("secrte", ["secret", "url"]) == "secret"
    assert typo_of("retry_count_for_polling_failure", ["retry_count", "retry_after_polling_failure"]) is None
    assert typo_of("engine_settings", ["settings", "engine"]) is None
    assert typo_of("urls", ["url"]) == "url" and typo_of("uris", ["url"]) is None


# --- values live objects hold -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "config",
    [
        "url: https://hooks.example.com/a\napp: null\nsecret: null\nclient_ssl_certificate: null\n",
        "private: true\ntimeout_s: 30\n",  # a private webhook: the API hides its url
        "private: true\n",
    ],
    ids=["nulls", "private-webhook", "private-only"],
)
def test_webhook_configs_the_api_returns(tmp_path: Path, config: str) -> None:
    assert errors_in(write_tree(tmp_path, {"a.yaml": BASE + _hook(config)})) == []


def test_private_function_without_code(tmp_path: Path) -> None:
    hook = _hook("private: true\nmemory_size_mb: 256\n", type="function")
    assert errors_in(write_tree(tmp_path, {"a.yaml": BASE + hook})) == []


def test_a_webhook_that_is_not_private_still_needs_its_url(tmp_path: Path) -> None:
    err = one_error(write_tree(tmp_path, {"a.yaml": BASE + _hook("private: false\n")}))
    assert "config needs 'url' for a webhook" in err.message


@pytest.mark.parametrize("runtime", ["python3.8", "python3.9", "python3.11", "python3.12", "nodejs12.x", "nodejs22.x"])
def test_function_runtimes_of_older_organizations(tmp_path: Path, runtime: str) -> None:
    hook = _hook(f"runtime: {runtime}\ncode: x\n", type="function")
    assert errors_in(write_tree(tmp_path, {"a.yaml": BASE + hook})) == []


def test_a_runtime_that_is_not_python_or_node_is_refused(tmp_path: Path) -> None:
    err = one_error(write_tree(tmp_path, {"a.yaml": BASE + _hook("runtime: ruby3.2\ncode: x\n", type="function")}))
    assert err.message == (
        "config.runtime: 'ruby3.2' is not a function runtime; use python3.12 or nodejs22.x (an older python3.N or "
        "nodejsN.x is accepted too)"
    )


def test_whole_events_and_raised_memory_limits(tmp_path: Path) -> None:
    hook = _hook(
        "runtime: python3.12\ncode: x\nmemory_size_mb: 1024\n",
        type="function",
        events="[annotation_status, annotation_content.export, invocation]",
    )
    assert errors_in(write_tree(tmp_path, {"a.yaml": BASE + hook})) == []
    bad = _hook("url: https://hooks.example.com/a\n", events="[annotation_status.exploded]")
    err = one_error(write_tree(tmp_path / "bad", {"a.yaml": BASE + bad}))
    assert "'annotation_status.exploded' is not valid" in err.message


def test_rule_description_has_no_length_limit_the_api_reference_does_not_state(tmp_path: Path) -> None:
    rule = f"---\nkind: Rule\nkey: r\nname: R\ndescription: {'x' * 400}\n"
    assert errors_in(write_tree(tmp_path, {"a.yaml": BASE + rule})) == []


def test_documented_limits_still_hold(tmp_path: Path) -> None:
    hook = _hook("url: https://hooks.example.com/a\nretry_count: 5\n", token_lifetime_s="7201")
    errors = errors_in(write_tree(tmp_path, {"a.yaml": BASE + hook}))
    assert sorted(e.message for e in errors) == [
        "config.retry_count must be at most 4 (got 5)",
        "token_lifetime_s must be at most 7200 (got 7201)",
    ]
