"""The examples at the end of every command's ``--help``, in one place (a test parses each one with its command,
so none names an option that does not exist).

``attach(command, path)`` sets the epilog of a command and of its subcommands; ``main`` calls it when it loads a
command.
"""

from __future__ import annotations

import click

EXAMPLES: dict[str, tuple[str, ...]] = {
    "validate": (
        "rossum-iac validate examples/manifests --env dev",
        "rossum-iac validate manifests --env prod --json --strict",
    ),
    "plan": (
        "rossum-iac plan examples/manifests --emulator",
        "rossum-iac plan manifests --env prod -o plan.json --format markdown --fail-on-breaking > plan.md",
    ),
    "apply": (
        "rossum-iac apply examples/manifests --emulator --auto-approve",
        "rossum-iac apply plan.json --env prod",
    ),
    "drift": (
        "rossum-iac drift manifests --env prod",
        "rossum-iac drift examples/manifests --emulator --format markdown --include-unmanaged",
    ),
    "import": (
        "rossum-iac import Queue/invoices-eu 547000 manifests --env prod",
        "rossum-iac import --match manifests --env prod",
    ),
    "pull": (
        "rossum-iac pull ./org --adopt",
        "rossum-iac pull ./org --update --dry-run",
    ),
    "schema": ("rossum-iac schema > schemas/manifest.schema.json",),
    "documents": (
        "rossum-iac documents upload invoices/*.pdf --queue invoices-eu --wait",
        "rossum-iac documents list --queue invoices-eu --limit 20",
    ),
    "documents upload": (
        "rossum-iac documents upload invoices/*.pdf --queue invoices-eu --wait",
        "rossum-iac documents upload scan.pdf --queue 12345 --metadata '{\"batch\": \"2024-05\"}'",
    ),
    "documents show": ("rossum-iac documents show 349000 --json",),
    "documents download": (
        "rossum-iac documents download 349000 -o original.pdf",
        "rossum-iac documents download 349000 --out - > original.pdf",
    ),
    "documents list": (
        "rossum-iac documents list --queue invoices-eu --limit 20",
        "rossum-iac documents list --file-name scan.pdf --arrived-after 2024-05-01",
    ),
    "annotations": (
        "rossum-iac annotations list --queue invoices-eu --status to_review",
        "rossum-iac annotations export --queue invoices-eu --format csv -o export.csv --status confirmed",
    ),
    "annotations list": (
        "rossum-iac annotations list --queue invoices-eu --status to_review,postponed --limit 50",
        "rossum-iac annotations list --queue 12345 --ordering -created_at --json",
    ),
    "annotations show": ("rossum-iac annotations show 294000 --content",),
    "annotations search": (
        'rossum-iac annotations search --text "ACME"',
        "rossum-iac annotations search --query '{\"field.document_id.string\": {\"$startsWith\": \"INV-\"}}'",
    ),
    "annotations update": (
        "rossum-iac annotations update 294000 --set document_id=INV-900 --set amount_total=12.50",
        "rossum-iac annotations update 294000 --data '{\"metadata\": {\"checked\": true}}'",
    ),
    "annotations bulk-update": ("rossum-iac annotations bulk-update 294000 --operations ops.json",),
    "annotations confirm": ("rossum-iac annotations confirm 294000 294001",),
    "annotations cancel": ("rossum-iac annotations cancel 294000",),
    "annotations start": ("rossum-iac annotations start 294000",),
    "annotations delete": ("rossum-iac annotations delete 294000 --json",),
    "annotations postpone": ("rossum-iac annotations postpone 294000",),
    "annotations wait": ("rossum-iac annotations wait 294000 --until exported --timeout 120",),
    "annotations export": (
        "rossum-iac annotations export --queue invoices-eu --format csv -o export.csv --status confirmed",
        "rossum-iac annotations export --queue 12345 --format json --out - > export.json",
    ),
    "tasks": ("rossum-iac tasks wait 856000 --timeout 120",),
    "tasks show": ("rossum-iac tasks show 856000",),
    "tasks wait": ("rossum-iac tasks wait 856000 --timeout 120",),
    "emulator": ("rossum-iac emulator serve --port 8765 --db state.sqlite3",),
    "emulator serve": (
        "rossum-iac emulator serve --port 8765 --db state.sqlite3",
        "rossum-iac emulator serve --latency-ms 50 --fault-rate 0.05",
    ),
}
"""Command path (``documents upload``) -> one or two command lines that work (a few need files or ids of your own)."""


def epilog(path: str) -> str | None:
    lines = EXAMPLES.get(path)
    if not lines:
        return None
    word = "Example" if len(lines) == 1 else "Examples"
    # \b keeps click from rewrapping the lines
    return f"{word}:\n\n\b\n" + "\n".join(f"  {line}" for line in lines)


def attach(command: click.Command, path: str) -> click.Command:
    """Set the examples of ``command`` (named by ``path``) and of its subcommands as their epilogs."""
    text = epilog(path)
    if text is not None:
        command.epilog = text
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            attach(sub, f"{path} {name}")
    return command
