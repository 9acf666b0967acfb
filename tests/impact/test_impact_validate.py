"""validate: schema ids that the manifests name but their schemas lack (errors or warnings, with positions and a
did-you-mean), schema text limits, unique enum option values, and missing secrets as warnings."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from e2e_helpers import write_manifests

from rossum_iac.cli.main import main
from rossum_iac.manifest import load

STACK = {
    "rossum.yaml": "stack: refs\n",
    "base.yaml": """
        kind: Workspace
        key: ws
        name: WS
        ---
        kind: Schema
        key: invoice
        name: Invoice
        content:
          - category: section
            id: header
            label: Header
            children:
              - {category: datapoint, id: po_number, label: PO, type: string}
              - {category: datapoint, id: amount_total, label: Total, type: number}
              - {category: datapoint, id: amount_due, label: Due, type: number, formula: field.amount_total * 1}
        ---
        kind: Schema
        key: other
        name: Other
        content:
          - category: section
            id: header
            label: Header
            children:
              - {category: datapoint, id: amount_total, label: Total, type: number}
        ---
        kind: Queue
        key: invoices
        name: Invoices
        workspace: ws
        schema: invoice
        ---
        kind: Queue
        key: others
        name: Others
        workspace: ws
        schema: other
        """,
}


def at(root: Path, name: str, needle: str, nth: int = 0) -> str:
    """``name:line:column`` of the ``nth`` occurrence of ``needle`` in the file (what a message must point at)."""
    text = (root / name).read_text()
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    line = text.count("\n", 0, offset) + 1
    return f"{name}:{line}:{offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


def problems(root: Path, **kw: object) -> tuple[list[str], list[str]]:
    result = load(root, **kw)  # type: ignore[arg-type]
    rel = lambda e: str(e).replace(f"{root}/", "")  # noqa: E731
    return [rel(e) for e in result.errors], [rel(w) for w in result.warnings]


def test_a_valid_stack_has_no_reference_problems(tmp_path: Path) -> None:
    root = write_manifests(
        tmp_path,
        {
            **STACK,
            "rule.yaml": """
        kind: Rule
        key: po
        name: PO
        queues: [invoices]
        trigger_condition: field.po_number == ""
        actions:
          - {id: a, type: show_message, event: validation, payload: {type: error, content: x, schema_id: po_number}}
        """,
        },
    )
    assert problems(root) == ([], [])


def test_rule_condition_and_actions_name_missing_ids(tmp_path: Path) -> None:
    root = write_manifests(
        tmp_path,
        {
            **STACK,
            "rules/po.yaml": """
        kind: Rule
        key: po
        name: PO
        queues: [invoices]
        trigger_condition: |
          # field.po_numbr is only in a comment
          field.po_numbr == "" and "field.in_text" != ""
        actions:
          - {id: a, type: show_message, event: validation, payload: {type: error, content: x, schema_id: amount_totl}}
          - {id: b, type: hide_field, event: validation, payload: {schema_ids: [po_number, amountdue]}}
        """,
        },
    )
    errors, warnings = problems(root)
    assert warnings == []
    name = "rules/po.yaml"
    assert errors == [
        f"{at(root, name, 'po_numbr', 1)}: error: Rule/po trigger_condition reads field.po_numbr, but Schema/invoice "
        "(the schema of Queue/invoices) has no datapoint 'po_numbr' (did you mean 'po_number'?)",
        f"{at(root, name, 'amount_totl')}: error: Rule/po actions[0].payload.schema_id names schema id 'amount_totl', "
        "but Schema/invoice (the schema of Queue/invoices) has no datapoint 'amount_totl' (did you mean "
        "'amount_total'?)",
        f"{at(root, name, 'amountdue')}: error: Rule/po actions[1].payload.schema_ids[1] names schema id 'amountdue', "
        "but Schema/invoice (the schema of Queue/invoices) has no datapoint 'amountdue' (did you mean 'amount_due'?)",
    ]
    assert errors[0].startswith("rules/po.yaml:7:9:")  # inside the literal block, after the comment line


def test_id_missing_from_one_of_several_schemas_is_a_warning(tmp_path: Path) -> None:
    root = write_manifests(
        tmp_path,
        {
            **STACK,
            "rule.yaml": """
        kind: Rule
        key: po
        name: PO
        queues: [invoices, others]
        trigger_condition: field.po_number != ""
        """,
        },
    )
    errors, warnings = problems(root)
    assert errors == []
    assert warnings == [
        f"{at(root, 'rule.yaml', 'po_number')}: warning: Rule/po trigger_condition reads field.po_number, but "
        "Schema/other (the schema of Queue/others) has no datapoint 'po_number' (Schema/invoice has it)"
    ]


def test_rule_without_queues_runs_everywhere_so_only_warns(tmp_path: Path) -> None:
    root = write_manifests(
        tmp_path,
        {
            **STACK,
            "rule.yaml": """
        kind: Rule
        key: po
        name: PO
        trigger_condition: field.vendor_vat != ""
        """,
        },
    )
    errors, warnings = problems(root)
    assert errors == [] and len(warnings) == 1
    assert "has no datapoint 'vendor_vat'" in warnings[0]
    assert "runs on every queue of the organization" in warnings[0]


def test_formula_queue_columns_and_email_placeholders(tmp_path: Path) -> None:
    stack = dict(STACK)
    stack["base.yaml"] = stack["base.yaml"].replace("field.amount_total * 1", "field.amount_totl * 1")
    root = write_manifests(
        tmp_path,
        {
            **stack,
            "more.yaml": """
        kind: Queue
        key: third
        name: Third
        workspace: ws
        schema: invoice
        settings:
          columns: [{schema_id: po_number}, {schema_id: po_nuber}]
        ---
        kind: EmailTemplate
        key: ask
        name: Ask
        queue: invoices
        subject: "PO {{ annotation.content.value.po_numer }}"
        message: "<p>{{ document_list }}</p>"
        """,
        },
    )
    errors, warnings = problems(root)
    # a list column of a datapoint that left the schema is a warning: the UI keeps such columns, the API accepts them
    assert any("Queue/third settings.columns[1].schema_id names schema id 'po_nuber'" in w for w in warnings)
    assert errors == [
        f"{at(root, 'base.yaml', 'amount_totl')}: error: Schema/invoice content (formula of 'amount_due') reads "
        "field.amount_totl, but the schema has no datapoint 'amount_totl' (did you mean 'amount_total'?)",
        f"{at(root, 'more.yaml', 'po_numer')}: error: EmailTemplate/ask subject uses "
        "{{ annotation.content.value.po_numer }}, but "
        "Schema/invoice (the schema of Queue/invoices, Queue/third) has no datapoint 'po_numer' (did you mean "
        "'po_number'?)",
    ]


def test_hook_code_and_settings_are_warnings(tmp_path: Path) -> None:
    code = (
        "# t.field.commented_out is ignored\n"
        "def rossum_hook_request_handler(payload):\n"
        '    status = "exported"  # a string that only looks like a schema id\n'
        '    if dp["schema_id"] == "po_nmber":\n'
        "        return t.field.amount_tot\n"
    )
    root = write_manifests(
        tmp_path,
        {
            **STACK,
            "hooks/check.py": code,
            "hooks/check.yaml": """
        kind: Hook
        key: check
        name: Check
        type: function
        queues: [invoices]
        events: [annotation_content.initialize]
        config: {runtime: python3.12, code: {file: check.py}}
        settings: {target_field: vendor_id, label: Vendors}
        """,
        },
    )
    errors, warnings = problems(root)
    assert errors == []
    assert [w.split(": warning: ")[0] for w in warnings] == [
        at(root, "hooks/check.py", "po_nmber"),
        at(root, "hooks/check.py", "amount_tot"),
        at(root, "hooks/check.yaml", "vendor_id"),
    ]
    assert "compares a schema id with 'po_nmber'" in warnings[0] and "did you mean 'po_number'" in warnings[0]
    assert "reads field.amount_tot" in warnings[1] and "found by a heuristic" in warnings[1]
    assert "settings.target_field names schema id 'vendor_id'" in warnings[2]
    strict_errors, _ = problems(root, strict=True)
    assert len(strict_errors) == 3


def test_formula_limits_inline_and_in_files(tmp_path: Path) -> None:
    long = "field.amount_total + " * 100 + "0"  # 2,101 characters
    stack = dict(STACK)
    stack["base.yaml"] = (
        stack["base.yaml"]
        .replace("formula: field.amount_total * 1}", "formula: {file: due.py}}")
        .replace(
            "- {category: datapoint, id: po_number, label: PO, type: string}",
            f"- {{category: datapoint, id: po_number, label: PO, type: string, formula: '{long}'}}",
        )
    )
    root = write_manifests(tmp_path, {**stack, "due.py": "# due\n" + long + "\n"})
    errors, _ = problems(root)
    inline = at(root, "base.yaml", "'field.amount_total + ")
    assert errors == [
        f"{inline}: error: Schema/invoice: formula of 'po_number' is 2101 characters long; the API accepts at most "
        "2000",
        "due.py:1:1: error: Schema/invoice: formula of 'amount_due' is 2108 characters long; the API accepts at most "
        "2000",
    ]
    (root / "due.py").write_text("field.amount_total / 2\n")
    assert len(problems(root)[0]) == 1


def test_duplicate_enum_option_value(tmp_path: Path) -> None:
    stack = dict(STACK)
    stack["base.yaml"] = stack["base.yaml"].replace(
        "- {category: datapoint, id: po_number, label: PO, type: string}",
        "- {category: datapoint, id: po_number, label: PO, type: enum, options: [{value: a, label: A}, "
        "{value: b, label: B}, {value: a, label: A again}]}",
    )
    root = write_manifests(tmp_path, stack)
    errors, _ = problems(root)
    assert errors == [
        f"{at(root, 'base.yaml', 'a, label: A again')}: error: option value 'a' of enum 'po_number' is used twice "
        "(options 1 and 3); option values must be unique"
    ]


def test_missing_secret_is_a_validate_warning_and_a_plan_error(tmp_path: Path) -> None:
    root = write_manifests(
        tmp_path,
        {
            **STACK,
            "conn.yaml": """
        kind: Connector
        key: erp
        name: ERP
        service_url: https://erp.example.invalid/x
        authorization_token: ${env.REFS_ERP_TOKEN}
        """,
        },
    )
    env = {"REFS_ERP_TOKEN": ""}
    result = CliRunner().invoke(main, ["validate", str(root)], env=env)
    assert result.exit_code == 0, result.output
    assert (
        "conn.yaml:5:22: warning: authorization_token: environment variable REFS_ERP_TOKEN is not set" in result.output
    )
    assert "plan and apply need it" in result.output
    result = CliRunner().invoke(main, ["validate", str(root), "--json"], env=env)
    data = json.loads(result.output)
    assert data["valid"] is True and data["warnings"][0]["line"] == 5
    result = CliRunner().invoke(main, ["validate", str(root), "--strict"], env=env)
    assert result.exit_code == 1 and "error: authorization_token: environment variable" in result.output
    # plan, apply and drift load with the default: an error, before any request
    result = CliRunner().invoke(main, ["plan", str(root), "--emulator", ":memory:"], env=env)
    assert result.exit_code == 1 and "error: authorization_token: environment variable REFS_ERP_TOKEN" in result.output
    errors, _ = problems(root, environ={})
    assert len(errors) == 1
