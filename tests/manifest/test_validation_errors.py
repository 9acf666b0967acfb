"""Each kind of bad input gives one clear error with its file, line and column."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from rossum_iac.cli.main import main
from rossum_iac.manifest import ManifestErrors, load_stack
from rossum_iac.manifest.loader import validate_stack

from .helpers import BASE, errors_in, one_error, write_tree


def test_unknown_kind_suggests_the_closest(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.yaml": BASE + "---\nkind: Quee\nkey: q2\nname: x\n"})
    err = one_error(root)
    assert (err.file, err.line, err.column) == (root / "a.yaml", 21, 7)
    assert "unknown kind 'Quee' (did you mean 'Queue'?)" in err.message
    assert "kinds are Organization, Workspace, Schema" in err.message


def test_unknown_field_suggests_the_closest(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.yaml": BASE + "automation_levle: never\n"})
    err = one_error(root)
    assert (err.line, err.column) == (20, 1)
    assert "unknown field 'automation_levle' for a Queue (did you mean 'automation_level'?)" in err.message


def test_read_only_and_other_side_fields_explain_why(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.yaml": BASE + "counts: {}\nhooks: [h1]\n"})
    errors = errors_in(root)
    assert [(e.line, e.column) for e in errors] == [(20, 1), (21, 1)]
    assert "'counts' cannot be declared on a Queue: it is read-only" in errors[0].message
    assert "list this queue under 'queues' of the Hook" in errors[1].message


def test_wrong_type(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.yaml": BASE + "automation_enabled: yes\n"})
    err = one_error(root)
    assert (err.line, err.column) == (20, 21)
    assert "automation_enabled should be true or false, not the text 'yes'" in err.message
    assert "YAML 1.2 reads yes/no/on/off as text" in err.message


def test_wrong_enum_value(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.yaml": BASE + "automation_level: confidant\n"})
    err = one_error(root)
    assert (err.line, err.column) == (20, 19)
    assert "automation_level: the text 'confidant' is not valid (did you mean 'confident'?)" in err.message
    assert "expected one of always, confident, never" in err.message


def test_wrong_value_coming_from_a_variable_points_at_the_placeholder(tmp_path: Path) -> None:
    files = {
        "rossum.yaml": "stack: demo\nenvironments:\n  dev:\n    variables: {level: sometimes, threshold: high}\n",
        "a.yaml": BASE + "automation_level: ${var.level}\ndefault_score_threshold: ${var.threshold}\n",
    }
    errors = errors_in(write_tree(tmp_path, files), "dev")
    assert [(e.line, e.column) for e in errors] == [(20, 19), (21, 26)]
    assert "'sometimes' is not valid" in errors[0].message
    assert "default_score_threshold should be a number, not the text 'high'" in errors[1].message


def test_numeric_range(tmp_path: Path) -> None:
    hook = "---\nkind: Hook\nkey: h\nname: H\nconfig:\n  url: https://hooks.example.com/a\n  timeout_s: 120\n"
    err = one_error(write_tree(tmp_path, {"a.yaml": BASE + hook}))
    assert (err.line, err.column) == (26, 14)
    assert "config.timeout_s must be at most 60 (got 120)" in err.message


def test_unknown_nested_field(tmp_path: Path) -> None:
    hook = "---\nkind: Hook\nkey: h\nname: H\nconfig:\n  url: https://hooks.example.com/a\n  secrte: x\n"
    err = one_error(write_tree(tmp_path, {"a.yaml": BASE + hook}))
    assert (err.line, err.column) == (26, 3)
    assert "unknown field 'secrte' in config (did you mean 'secret'?)" in err.message


def test_missing_required_fields(tmp_path: Path) -> None:
    docs = (
        "kind: Queue\nkey: q\nname: Q\n"
        "---\nkind: Hook\nkey: h\nname: H\ntype: function\nconfig:\n  runtime: python3.12\n"
    )
    errors = errors_in(write_tree(tmp_path, {"a.yaml": docs}))
    assert [(e.line, e.column) for e in errors] == [(1, 1), (1, 1), (9, 1)]
    assert "Queue needs 'schema' (the key of a Schema)" in errors[0].message
    assert "Queue needs 'workspace'" in errors[1].message
    assert "config needs 'code' for a function hook" in errors[2].message


def test_duplicate_keys_per_kind(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path, {"a.yaml": BASE, "b.yaml": "kind: Queue\nkey: q1\nname: Again\nworkspace: ws\nschema: invoice\n"}
    )
    err = one_error(root)
    assert (err.file, err.line, err.column) == (root / "b.yaml", 2, 6)
    assert f"Queue 'q1' is already defined at {root / 'a.yaml'}:16" in err.message


def test_same_key_in_different_kinds_is_fine(tmp_path: Path) -> None:
    inbox = "---\nkind: Inbox\nkey: q1\nname: In\nqueues: [q1]\nemail_prefix: in\n"
    assert errors_in(write_tree(tmp_path, {"a.yaml": BASE + inbox})) == []


def test_dangling_reference_names_kind_and_key(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.yaml": BASE.replace("schema: invoice", "schema: invoices")})
    err = one_error(root)
    assert (err.line, err.column) == (19, 9)
    assert "Queue/q1 refers to Schema 'invoices' in schema, but no Schema with that key is defined" in err.message
    assert "(did you mean 'invoice'?)" in err.message


def test_dangling_reference_in_a_list_and_in_a_template(tmp_path: Path) -> None:
    hook = (
        "---\nkind: Hook\nkey: h\nname: H\nqueues: [q1, q9]\nconfig:\n  url: https://hooks.example.com/a\n"
        "settings:\n  target: ${ref.Queue.q7.id}\n"
    )
    errors = errors_in(write_tree(tmp_path, {"a.yaml": BASE + hook}))
    assert [(e.line, e.column) for e in errors] == [(24, 14), (28, 11)]
    assert "refers to Queue 'q9' in queues[1]" in errors[0].message
    assert "refers to Queue 'q7' in settings.target" in errors[1].message


def test_reference_written_as_url(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path, {"a.yaml": BASE.replace("workspace: ws", "workspace: https://x.example.com/api/v1/workspaces/1")}
    )
    err = one_error(root)
    assert (err.line, err.column) == (18, 12)
    assert "workspace must be the key of a Workspace in this stack, not a URL" in err.message


def test_missing_include_file(tmp_path: Path) -> None:
    template = "---\nkind: EmailTemplate\nkey: t\nname: T\nqueue: q1\nmessage: {file: mails/missing.html}\n"
    root = write_tree(tmp_path, {"sub/a.yaml": BASE + template})
    err = one_error(root)
    assert (err.file, err.line, err.column) == (root / "sub" / "a.yaml", 25, 17)
    assert f"included file {root / 'sub' / 'mails' / 'missing.html'} does not exist" in err.message


def test_include_escaping_the_manifest_directory_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("outside")
    rule = "---\nkind: Rule\nkey: r\nname: R\ntrigger_condition: {file: ../secret.txt}\n"
    root = write_tree(tmp_path / "stack", {"a.yaml": BASE + rule})
    err = one_error(root)
    assert (err.line, err.column) == (24, 27)
    assert "points outside the manifest directory" in err.message


def test_include_with_an_absolute_path_is_rejected(tmp_path: Path) -> None:
    rule = "---\nkind: Rule\nkey: r\nname: R\ntrigger_condition: {file: /etc/hostname}\n"
    err = one_error(write_tree(tmp_path, {"a.yaml": BASE + rule}))
    assert "is absolute; write it relative to a.yaml" in err.message


def test_include_outside_a_content_field_is_just_data(tmp_path: Path) -> None:
    hook = "---\nkind: Hook\nkey: h\nname: H\nconfig: {url: https://hooks.example.com/a}\nsettings: {file: x.txt}\n"
    stack = load_stack(write_tree(tmp_path, {"a.yaml": BASE + hook}))
    hook_obj = stack.get("Hook", "h")
    assert hook_obj is not None and hook_obj.fields["settings"] == {"file": "x.txt"}


def test_undefined_variable(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.yaml": BASE + "locale: ${var.locale}\n"})
    err = one_error(root, "dev")
    assert (err.line, err.column) == (20, 9)
    assert "undefined variable locale in ${var.locale}" in err.message
    assert "define it under variables of environment dev" in err.message


def test_undefined_environment(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.yaml": BASE})
    err = one_error(root, "prdo")
    assert err.file == root / "rossum.yaml"
    assert "environment 'prdo' is not defined; defined environments: dev" in err.message


def test_missing_secret_names_the_variable_never_a_value(tmp_path: Path) -> None:
    hook = "---\nkind: Hook\nkey: h\nname: H\nconfig:\n  url: https://hooks.example.com/a\n  secret: ${env.HOOK_KEY}\n"
    root = write_tree(tmp_path, {"a.yaml": BASE + hook})
    [err] = validate_stack(root, None, {"OTHER": "value-that-must-not-appear"})  # as plan and apply load it
    assert (err.line, err.column) == (26, 11)
    assert "environment variable HOOK_KEY is not set" in err.message
    assert "value-that-must-not-appear" not in str(err)
    # the validate command runs where secrets are absent (pull requests from forks): there it is a warning
    result = CliRunner().invoke(main, ["validate", str(root)], env={"OTHER": "value-that-must-not-appear"})
    assert result.exit_code == 0, result.output
    assert f"{root}/a.yaml:26:11: warning: config.secret: environment variable HOOK_KEY is not set" in result.output
    assert "value-that-must-not-appear" not in result.output


def test_run_after_cycle_shows_the_cycle(tmp_path: Path) -> None:
    hooks = "".join(
        f"---\nkind: Hook\nkey: {key}\nname: {key}\nrun_after: [{after}]\nconfig: {{url: https://hooks.example.com/{key}}}\n"
        for key, after in (("a", "b"), ("b", "c"), ("c", "a"))
    )
    err = one_error(write_tree(tmp_path, {"hooks.yaml": hooks}))
    assert (err.line, err.column) == (5, 12)
    assert "run_after forms a cycle among hooks: a -> b -> c -> a" in err.message


def test_run_after_itself(tmp_path: Path) -> None:
    hook = "kind: Hook\nkey: solo\nname: S\nrun_after: [solo]\nconfig: {url: https://hooks.example.com/s}\n"
    err = one_error(write_tree(tmp_path, {"h.yaml": hook}))
    assert "cycle among hooks: solo -> solo" in err.message


def test_inbox_with_two_queues(tmp_path: Path) -> None:
    queue2 = "---\nkind: Queue\nkey: q2\nname: Q2\nworkspace: ws\nschema: invoice\n"
    inbox = "---\nkind: Inbox\nkey: in\nname: In\nemail_prefix: in\nqueues: [q1, q2]\n"
    err = one_error(write_tree(tmp_path, {"a.yaml": BASE + queue2 + inbox}))
    assert (err.line, err.column) == (31, 9)
    assert "an inbox delivers to exactly one queue; list exactly one Queue key in queues (got 2)" in err.message


def test_two_inboxes_for_one_queue(tmp_path: Path) -> None:
    inboxes = "".join(f"---\nkind: Inbox\nkey: {k}\nname: {k}\nemail_prefix: {k}\nqueues: [q1]\n" for k in ("i1", "i2"))
    err = one_error(write_tree(tmp_path, {"a.yaml": BASE + inboxes}))
    assert "Queue 'q1' already receives email from Inbox 'i1'" in err.message


def test_email_template_type_that_cannot_exist(tmp_path: Path) -> None:
    template = "---\nkind: EmailTemplate\nkey: t\nname: T\nqueue: q1\ntype: notification\n"
    err = one_error(write_tree(tmp_path, {"a.yaml": BASE + template}))
    assert (err.line, err.column) == (25, 7)
    assert "type: the text 'notification' is not valid" in err.message
    assert "custom, rejection, rejection_default, email_with_no_processable_attachments" in err.message


def test_queue_default_template_may_be_configured_once(tmp_path: Path) -> None:
    templates = "".join(
        f"---\nkind: EmailTemplate\nkey: {k}\nname: {k}\nqueue: q1\ntype: rejection_default\n" for k in ("t1", "t2")
    )
    err = one_error(write_tree(tmp_path, {"a.yaml": BASE + templates}))
    assert (err.line, err.column) == (31, 7)
    assert "the rejection_default template of Queue 'q1' is already configured by EmailTemplate 't1'" in err.message


def test_custom_templates_may_repeat_per_queue(tmp_path: Path) -> None:
    templates = "".join(
        f"---\nkind: EmailTemplate\nkey: {k}\nname: {k}\nqueue: q1\ntype: custom\n" for k in ("t1", "t2")
    )
    assert errors_in(write_tree(tmp_path, {"a.yaml": BASE + templates})) == []


def test_rule_action_mistakes(tmp_path: Path) -> None:
    rule = """\
---
kind: Rule
key: r
name: R
actions:
  - {id: a, type: show_message, event: annotation_imported, payload: {type: warning, content: x}}
  - {id: a, type: change_status, event: annotation_imported, payload: {method: export}}
  - {id: b, type: change_status, event: annotation_imported, payload: {method: archive}}
"""
    errors = errors_in(write_tree(tmp_path, {"a.yaml": BASE + rule}))
    messages = [(e.line, e.message) for e in errors]
    assert (
        25,
        "actions[0].event: a show_message action runs on validation only, not 'annotation_imported'",
    ) in messages
    assert any(line == 26 and "action id 'a' is used twice" in m for line, m in messages)
    assert any(line == 27 and "at most one change_status action" in m for line, m in messages)
    assert any(line == 27 and "payload.method: the text 'archive' is not valid" in m for line, m in messages)
    assert len(errors) == 4


def test_reserved_metadata_key(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.yaml": BASE + "metadata:\n  rossum_iac: {stack: other}\n"})
    err = one_error(root)
    assert (err.line, err.column) == (21, 3)
    assert "metadata.rossum_iac is reserved" in err.message


def test_invalid_key(tmp_path: Path) -> None:
    err = one_error(write_tree(tmp_path, {"a.yaml": "kind: Workspace\nkey: Invoices EU\nname: W\n"}))
    assert (err.line, err.column) == (2, 6)
    assert "key 'Invoices EU' is not valid; use lowercase letters, digits" in err.message


def test_missing_key(tmp_path: Path) -> None:
    err = one_error(write_tree(tmp_path, {"a.yaml": "kind: Workspace\nname: W\n"}))
    assert (err.line, err.column) == (1, 1)
    assert "this Workspace has no key" in err.message


def test_ignore_changes_must_name_a_field(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.yaml": BASE + "ignore_changes: [settings.columns, setings]\n"})
    err = one_error(root)
    assert (err.line, err.column) == (20, 36)
    assert "ignore_changes: 'setings' does not start with a field of Queue (did you mean 'settings'?)" in err.message


def test_yaml_syntax_error_position(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.yaml": BASE, "b.yaml": "kind: Workspace\nkey: w2\nname: [unclosed\n"})
    err = one_error(root)
    assert (err.file, err.line, err.column) == (root / "b.yaml", 4, 1)
    assert "invalid YAML: expected ',' or ']'" in err.message


def test_document_without_kind(tmp_path: Path) -> None:
    err = one_error(write_tree(tmp_path, {"a.yaml": BASE, "b.yaml": "# note\nkey: x\nname: y\n"}))
    assert (err.file.name, err.line, err.column) == ("b.yaml", 2, 1)
    assert "this document has no kind" in err.message


def test_missing_stack_file(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(BASE)
    err = one_error(tmp_path)
    assert err.file == tmp_path
    assert "no rossum.yaml here" in err.message


def test_stack_file_mistakes(tmp_path: Path) -> None:
    files = {"rossum.yaml": "stack: Demo Stack\nenviroments: {}\n", "a.yaml": BASE}
    errors = errors_in(write_tree(tmp_path, files))
    assert [(e.line, e.column) for e in errors] == [(1, 8), (2, 1)]
    assert "'Demo Stack' is not a valid key" in errors[0].message
    assert "unknown field 'enviroments' (did you mean 'environments'?)" in errors[1].message


def test_environment_defined_twice(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.yaml": BASE, "environments/dev.yaml": "variables: {threshold: 5}\n"})
    err = one_error(root)
    assert err.file == root / "environments" / "dev.yaml"
    assert "environment dev is also defined in" in err.message


def test_environment_file_mistakes(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.yaml": BASE, "environments/prod.yaml": "api_url: https://x.example.com\n"})
    err = one_error(root, "prod")
    assert (err.file.name, err.line, err.column) == ("prod.yaml", 1, 1)
    assert "unknown field 'api_url' (did you mean 'api_base_url'?)" in err.message


def test_all_errors_are_reported_sorted_by_file_and_line(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "b.yaml": "kind: Workspace\nkey: wb\nname: [oops\n",
            "a.yaml": BASE + "automation_level: sometimes\nlocale: 5\n",
            "a2.yaml": "kind: Quee\nkey: x\n",
        },
    )
    with pytest.raises(ManifestErrors) as info:
        load_stack(root)
    errors = info.value.errors
    places = [(e.file.name, e.line) for e in errors]
    assert places == [("a.yaml", 20), ("a.yaml", 21), ("a2.yaml", 1), ("b.yaml", 4)]
    rendered = str(info.value).splitlines()
    assert rendered[0].startswith(f"{root / 'a.yaml'}:20:19: error: automation_level:")
    assert rendered[-1] == "4 errors in the manifests; nothing was sent to the API."
