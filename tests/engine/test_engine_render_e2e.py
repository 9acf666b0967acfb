"""plan and drift output formats against the emulator (CLI over real HTTP)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.e2e.e2e_helpers import BASE_MANIFESTS, Cli, write_manifests

CURRENCIES = [
    "EUR", "USD", "GBP", "CHF", "CZK", "PLN", "HUF", "SEK", "NOK", "DKK", "JPY", "CNY", "AUD", "CAD", "NZD",
    "SGD", "HKD", "INR", "BRL", "MXN", "ZAR", "TRY", "RON", "BGN", "ISK", "ILS", "KRW", "THB", "MYR", "IDR",
    "PHP", "AED", "SAR",
]


def with_currency(labels: dict[str, str]) -> dict[str, str]:
    """BASE_MANIFESTS with a 33-option currency enum in the schema."""
    options = "".join(
        f"                  - {{value: {c.lower()}, label: {labels.get(c.lower(), c)}}}\n" for c in CURRENCIES
    )
    enum = (
        "              - category: datapoint\n"
        "                id: currency\n"
        "                label: Currency\n"
        "                type: enum\n"
        "                options:\n" + options
    )
    base = BASE_MANIFESTS["base.yaml"]
    marker = "              - {category: datapoint, id: amount_total, label: Total, type: number}\n"
    assert marker in base
    return {**BASE_MANIFESTS, "base.yaml": base.replace(marker, marker + enum)}


def applied(emulator: Any, tmp_path: Path) -> tuple[Cli, Path]:
    cli = Cli(emulator)
    root = write_manifests(tmp_path / "m", with_currency({}))
    result = cli("apply", str(root), "--auto-approve")
    assert result.exit_code == 0, result.output
    return cli, root


def test_one_option_label_of_a_33_option_enum_is_one_short_line(emulator: Any, tmp_path: Path) -> None:
    cli, root = applied(emulator, tmp_path)
    write_manifests(root, with_currency({"chf": "Swiss franc"}))
    result = cli("plan", str(root))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    [line] = [x for x in lines if "options" in x]
    assert line.strip() == '~ datapoint "currency" options[value="chf"].label: "CHF" -> "Swiss franc"'
    assert len(line) < 100
    assert max(len(x) for x in lines) < 120  # no line holds the list of options
    assert "# used by Queue/main" in result.stdout
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in result.stdout


def test_formats_markdown_compact_and_json_alias(emulator: Any, tmp_path: Path) -> None:
    cli, root = applied(emulator, tmp_path)
    write_manifests(root, with_currency({"eur": "Euro"}))

    markdown = cli("plan", str(root), "--format", "markdown")
    assert markdown.exit_code == 0, markdown.output
    text = markdown.stdout
    assert text.startswith("### rossum-iac plan: stack `e2e`")
    assert "**Plan: 0 to add, 1 to change, 0 to destroy.**" in text and "| Schema | 0 | 1 | 0 |" in text
    assert '~ datapoint "currency" options[value="eur"].label: "EUR" -> "Euro"' in text
    assert "<details><summary><code>~ Schema/main</code>" in text and "used by Queue/main</summary>" in text

    compact = cli("plan", str(root), "--compact")
    assert compact.exit_code == 0
    assert "~ Schema/main (id " in compact.stdout and "content (nodes: 1 changed); used by Queue/main" in compact.stdout
    assert "options[" not in compact.stdout

    as_json = json.loads(cli("plan", str(root), "--json").stdout)
    as_format = json.loads(cli("plan", str(root), "--format", "json").stdout)
    assert as_json["resource_changes"] == as_format["resource_changes"]
    [change] = [c for c in as_json["resource_changes"] if c["actions"] == ["update"]]
    [schema_change] = change["changes"][0]["schema_changes"]
    assert schema_change["format"] == "nested" and schema_change["items"] == [
        {"path": 'options[value="eur"].label', "op": "change", "before": "EUR", "after": "Euro"}
    ]
    assert change["used_by"] == {"kind": "Queue", "managed": ["Queue/main"], "unmanaged": 0}

    plan_file = tmp_path / "plan.json"
    saved = cli("plan", str(root), "--format", "markdown", "--out", str(plan_file))
    assert saved.exit_code == 0 and "Saved the plan" in saved.stderr and "Saved the plan" not in saved.stdout
    assert json.loads(plan_file.read_text())["format_version"] == "1.2"


def test_conflicting_format_options_are_usage_errors(emulator: Any, tmp_path: Path) -> None:
    cli = Cli(emulator)
    root = write_manifests(tmp_path / "m", BASE_MANIFESTS)
    emulator.request_log.clear()
    for args, message in (
        (("--json", "--format", "markdown"), "--json and --format markdown ask for different outputs"),
        (("--format", "json", "--compact"), "--compact applies to --format text or markdown"),
    ):
        result = cli("plan", str(root), *args)
        assert result.exit_code == 1 and message in result.stderr and "Traceback" not in result.output
    result = cli("plan", str(root), "--format", "yaml")
    assert result.exit_code == 1 and "'yaml' is not one of 'text', 'json', 'markdown'" in result.output
    assert emulator.request_log == []


def test_drift_as_markdown(emulator: Any, tmp_path: Path) -> None:
    cli, root = applied(emulator, tmp_path)
    clean = cli("drift", str(root), "--format", "markdown")
    assert clean.exit_code == 0 and "**No drift.**" in clean.stdout
    write_manifests(root, with_currency({"usd": "US dollar"}))
    result = cli("drift", str(root), "--format", "markdown")
    assert result.exit_code == 2, result.output
    assert "**Drift: 1 object differs from the manifests**" in result.stdout
    assert '~ datapoint "currency" options[value="usd"].label: "USD" -> "US dollar"' in result.stdout
    assert json.loads(cli("drift", str(root), "--json").stdout)["drift"] is True
    assert json.loads(cli("drift", str(root), "--format", "json").stdout)["drift"] is True
