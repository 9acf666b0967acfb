"""Placeholders: variables keep their type, secrets come from the environment, references become templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rossum_iac.manifest import load_stack
from rossum_iac.manifest.model import Ref, RefPlaceholder, Secret, Template
from rossum_iac.manifest.variables import Resolver, Variables

from .helpers import BASE, one_error, write_tree


def _resolve(text: str, values: dict[str, Any] | None = None, environ: dict[str, str] | None = None) -> Any:
    problems: list[tuple[int, str]] = []
    refs: list[Ref] = []
    resolver = Resolver(Variables(values or {}, environ or {}))
    value = resolver.resolve(
        text, lambda offset, message: problems.append((offset, message)), lambda r, o: refs.append(r)
    )
    return value, problems, refs


def test_whole_variable_keeps_the_yaml_type() -> None:
    values = {"n": 5, "f": 0.5, "b": False, "l": [1, 2], "m": {"a": "x"}, "none": None}
    for name, expected in values.items():
        value, problems, _ = _resolve(f"${{var.{name}}}", values)
        assert value == expected and type(value) is type(expected)
        assert problems == []


def test_embedded_variables_become_text() -> None:
    value, problems, _ = _resolve("limit ${var.n} / ${var.b} / ${var.s}!", {"n": 5, "b": True, "s": "x"})
    assert value == "limit 5 / true / x!"
    assert problems == []


def test_embedded_mapping_variable_is_an_error() -> None:
    _, problems, _ = _resolve("x ${var.m}", {"m": {"a": 1}})
    assert problems == [(2, "variable m holds a mapping, so ${var.m} must be the whole value, not part of a text")]


def test_secret_whole_and_embedded() -> None:
    value, problems, _ = _resolve("${env.TOKEN}", environ={"TOKEN": "t0k3n"})
    assert value == Secret("TOKEN", "t0k3n") and problems == []
    value, problems, _ = _resolve("Bearer ${env.TOKEN}", environ={"TOKEN": "t0k3n"})
    assert value == Template(("Bearer ", Secret("TOKEN", "t0k3n")))
    assert value.sensitive and "t0k3n" not in str(value) and "t0k3n" not in repr(value)


def test_reference_templates() -> None:
    value, problems, refs = _resolve("queue=${ref.Queue.invoices-eu.id}&u=${ref.email_template.t1.url}")
    assert problems == []
    assert value == Template(
        (
            "queue=",
            RefPlaceholder("Queue", "invoices-eu", "id"),
            "&u=",
            RefPlaceholder("EmailTemplate", "t1", "url"),
        )
    )
    assert refs == [Ref("Queue", "invoices-eu"), Ref("EmailTemplate", "t1")]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("${ref.Queue.q}", "malformed reference ${ref.Queue.q}"),
        ("${ref.Qeue.q.id}", "unknown kind 'Qeue' in ${ref.Qeue.q.id} (did you mean 'Queue'?)"),
        ("${ref.Queue.Q1.id}", "'Q1' is not a valid key"),
        ("${ref.Queue.q.name}", "a reference gives 'id' or 'url', not 'name'"),
        ("${ var.x }", "malformed placeholder '${ var.x }'"),
        ("${var.my-var}", "a variable name uses letters, digits and '_'"),
    ],
)
def test_malformed_placeholders(text: str, words: str) -> None:
    _, problems, _ = _resolve(text, {"x": 1})
    assert len(problems) == 1 and words in problems[0][1]


def test_escapes_and_foreign_placeholders_stay_literal() -> None:
    value, problems, _ = _resolve("`${name}` and $${var.x} and ${other.thing}")
    assert value == "`${name}` and ${var.x} and ${other.thing}"
    assert problems == []


def test_variable_values_may_choose_a_secret_or_reference() -> None:
    values = {"secret": "${env.PROD_KEY}", "target": "${ref.Queue.q1.id}", "nested": {"k": "${env.PROD_KEY}"}}
    value, problems, refs = _resolve("${var.secret}", values, {"PROD_KEY": "k"})
    assert value == Secret("PROD_KEY", "k")
    value, _, refs = _resolve("id=${var.target}", values)
    assert value == Template(("id=", RefPlaceholder("Queue", "q1", "id")))
    assert refs == [Ref("Queue", "q1")]
    value, _, _ = _resolve("${var.nested}", values, {"PROD_KEY": "k"})
    assert value == {"k": Secret("PROD_KEY", "k")}
    _, problems, _ = _resolve("${var.loop}", {"loop": "${var.secret}"})
    assert "variables cannot refer to other variables" in problems[0][1]


def test_environment_overrides_stack_defaults(tmp_path: Path) -> None:
    files = {
        "rossum.yaml": "stack: demo\nvariables: {level: never, locale: en_GB}\nenvironments:\n  prod:\n"
        "    variables: {level: always}\n",
        "a.yaml": BASE + "automation_level: ${var.level}\nlocale: ${var.locale}\n",
    }
    root = write_tree(tmp_path, files)
    assert _queue_field(load_stack(root, "prod"), "automation_level") == "always"
    assert _queue_field(load_stack(root), "automation_level") == "never"
    assert _queue_field(load_stack(root, "prod"), "locale") == "en_GB"


def _queue_field(stack: Any, name: str) -> Any:
    return stack.get("Queue", "q1").fields[name]


def test_environment_file_and_protect_from_a_variable(tmp_path: Path) -> None:
    files = {
        "environments/prod.yaml": "api_base_url: https://rossum.example.com/api/v1\nvariables: {protect: true}\n",
        "environments/dev.yaml": "variables: {protect: false}\n",
        "a.yaml": BASE + "protect: ${var.protect}\nignore_changes: [settings.columns]\n",
        "rossum.yaml": "stack: demo\n",
    }
    root = write_tree(tmp_path, files)
    prod = load_stack(root, "prod")
    assert prod.environment is not None and prod.environment.api_base_url == "https://rossum.example.com/api/v1"
    queue = prod.get("Queue", "q1")
    assert queue is not None and queue.protect is True and queue.ignore_changes == ("settings.columns",)
    dev_queue = load_stack(root, "dev").get("Queue", "q1")
    assert dev_queue is not None and dev_queue.protect is False
    assert "protect" not in queue.fields and "ignore_changes" not in queue.fields


def test_reference_field_may_come_from_a_variable(tmp_path: Path) -> None:
    files = {
        "rossum.yaml": "stack: demo\nvariables: {ws: ws}\n",
        "a.yaml": BASE.replace("workspace: ws", "workspace: ${var.ws}"),
    }
    stack = load_stack(write_tree(tmp_path, files))
    assert _queue_field(stack, "workspace") == Ref("Workspace", "ws")


def test_reference_field_cannot_be_a_template(tmp_path: Path) -> None:
    err = one_error(
        write_tree(tmp_path, {"a.yaml": BASE.replace("workspace: ws", "workspace: ${ref.Workspace.ws.url}")})
    )
    assert (err.line, err.column) == (18, 12)
    assert "workspace must name the Workspace by its key" in err.message


def test_placeholders_in_included_code_report_the_line_in_the_code_file(tmp_path: Path) -> None:
    hook = "---\nkind: Hook\nkey: fn\nname: F\ntype: function\nconfig:\n  runtime: python3.12\n  code: {file: fn.py}\n"
    code = "def handler(payload):\n    queue = ${ref.Queue.q1.id}\n    other = '${var.missing}'\n"
    root = write_tree(tmp_path, {"a.yaml": BASE + hook, "fn.py": code})
    err = one_error(root)
    assert (err.file, err.line, err.column) == (root / "fn.py", 3, 14)
    assert "config.code: undefined variable missing" in err.message
