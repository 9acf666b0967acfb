"""Terminal output of the document commands: tables, trees, JSON, colours and progress on stderr.

Human output goes to stdout; progress and notes to stderr. Colour only on a terminal and never with
``NO_COLOR`` set (``cli.common.use_color``, shared with plan/apply). Progress is shown only when stderr is a
terminal, so pipes and CI logs stay clean.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

import click

from rossum_iac.cli.common import use_color
from rossum_iac.ops.content import Outline

STATUS_COLOURS = {
    "importing": "blue",
    "to_review": "yellow",
    "reviewing": "yellow",
    "postponed": "magenta",
    "confirmed": "cyan",
    "exporting": "cyan",
    "exported": "green",
    "imported": "green",
    "succeeded": "green",
    "uploaded": "cyan",
    "running": "blue",
    "failed_import": "red",
    "failed_export": "red",
    "failed": "red",
    "deleted": "bright_black",
    "purged": "bright_black",
}


def style(text: str, **kwargs: Any) -> str:
    return click.style(text, **kwargs) if use_color() else text


def status_style(status: str) -> str:
    colour = STATUS_COLOURS.get(status)
    return style(status, fg=colour) if colour else status


def echo_json(value: Any) -> None:
    """Pretty JSON on stdout (models as their JSON form)."""
    click.echo(json.dumps(value, indent=2, ensure_ascii=False, default=_json_default))


def _json_default(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(by_alias=True, mode="json")
    return str(value)


def cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def render_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    max_width: int = 60,
    styles: Mapping[int, Callable[[str], str]] | None = None,
) -> str:
    """Columns aligned to their widest cell (cells longer than ``max_width`` are cut with ``…``); ``styles``
    maps a column index to a function colouring its (already padded) cells."""
    cells = [[cut("" if v is None else str(v), max_width) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], len(value))
    styles = styles or {}
    lines = ["  ".join(style(h.upper().ljust(w), bold=True) for h, w in zip(headers, widths, strict=True)).rstrip()]
    for row in cells:
        parts = []
        for i, (value, width) in enumerate(zip(row, widths, strict=True)):
            padded = value.ljust(width)
            parts.append(styles[i](value) + padded[len(value) :] if i in styles else padded)
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def _unicode_ok(stream: TextIO | None = None) -> bool:
    encoding = getattr(stream or sys.stdout, "encoding", None) or ""
    return encoding.lower().replace("-", "") in ("utf8", "utf16", "utf32")


def render_tree(nodes: Sequence[Outline], *, unicode: bool | None = None) -> str:
    """Outline nodes drawn with ``├──``/``└──`` guides (ASCII ``|--``/``` `-- ``` when the output encoding is not
    Unicode); top-level nodes are not indented."""
    if unicode is None:
        unicode = _unicode_ok()
    tee, last, bar, gap = ("├── ", "└── ", "│   ", "    ") if unicode else ("|-- ", "`-- ", "|   ", "    ")
    lines: list[str] = []

    def walk(children: Sequence[Outline], prefix: str) -> None:
        for index, child in enumerate(children):
            is_last = index == len(children) - 1
            lines.append(prefix + (last if is_last else tee) + child.label)
            walk(child.children, prefix + (gap if is_last else bar))

    for node in nodes:
        lines.append(node.label)
        walk(node.children, "")
    return "\n".join(lines)


def show_progress() -> bool:
    """Progress bars only when stderr is a terminal."""
    return sys.stderr.isatty()


class Progress:
    """A counter on stderr (``label 12/200``), drawn in place at most 10 times a second; silent when off."""

    def __init__(self, label: str, total: int | None, *, enabled: bool, unit: str = "") -> None:
        self.label = label
        self.total = total
        self.enabled = enabled
        self.unit = unit
        self.done = 0
        self._last_draw = 0.0

    def advance(self, amount: int = 1) -> None:
        self.done += amount
        if self.enabled and (time.monotonic() - self._last_draw >= 0.1 or self.done == self.total):
            self._draw()

    def _draw(self) -> None:
        self._last_draw = time.monotonic()
        done = format_bytes(self.done) if self.unit == "bytes" else str(self.done)
        if self.total:
            width = 30
            filled = int(width * min(self.done / self.total, 1.0))
            bar = "#" * filled + "-" * (width - filled)
            total = format_bytes(self.total) if self.unit == "bytes" else str(self.total)
            text = f"{self.label} [{bar}] {done}/{total}"
        else:
            text = f"{self.label} {done}" + (f" {self.unit}" if self.unit and self.unit != "bytes" else "")
        click.echo(f"\r{text}\x1b[K", err=True, nl=False)

    def close(self) -> None:
        if self.enabled and self._last_draw:
            self._draw()
            click.echo("", err=True)


@contextmanager
def progress(
    label: str, total: int | None = None, *, unit: str = "", enabled: bool | None = None
) -> Iterator[Progress]:
    bar = Progress(label, total, enabled=show_progress() if enabled is None else enabled, unit=unit)
    try:
        yield bar
    finally:
        bar.close()


def format_bytes(size: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"  # pragma: no cover - loop always returns


def note(message: str) -> None:
    """A line for people on stderr (not part of the command's output)."""
    click.echo(message, err=True)
