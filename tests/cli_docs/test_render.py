"""Tables, progress and byte formatting."""

from __future__ import annotations

import pytest

from rossum_iac.cli import _render


def test_table_aligns_and_cuts():
    text = _render.render_table(["id", "file"], [[1, "a.pdf"], [100, "x" * 80]], max_width=10)
    assert text.splitlines() == ["ID   FILE", "1    a.pdf", "100  xxxxxxxxx…"]


def test_table_styles_do_not_break_alignment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(_render, "use_color", lambda: True)
    text = _render.render_table(["status", "id"], [["exported", 1], ["to_review", 2]], styles={0: _render.status_style})
    lines = [_strip(line) for line in text.splitlines()]
    assert lines == ["STATUS     ID", "exported   1", "to_review  2"]
    assert "\x1b[" in text


def _strip(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_no_colour_with_no_color(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert _render.status_style("exported") == "exported"


def test_progress_silent_when_disabled(capsys: pytest.CaptureFixture[str]):
    with _render.progress("Uploading", 3, enabled=False) as bar:
        bar.advance()
        bar.advance(2)
    assert bar.done == 3
    assert capsys.readouterr().err == ""


def test_progress_draws_on_stderr(capsys: pytest.CaptureFixture[str]):
    with _render.progress("Uploading", 2, enabled=True) as bar:
        bar.advance()
        bar.advance()
    err = capsys.readouterr().err
    assert "Uploading [" in err and "2/2" in err and err.endswith("\n")


@pytest.mark.parametrize(("size", "text"), [(10, "10 B"), (2048, "2.0 kB"), (5 * 1024 * 1024, "5.0 MB")])
def test_format_bytes(size: int, text: str):
    assert _render.format_bytes(size) == text


def test_progress_without_total_names_unit(capsys: pytest.CaptureFixture[str]):
    with _render.progress("Exporting", None, unit="annotations", enabled=True) as bar:
        bar.advance(5)
    assert "Exporting 5 annotations" in capsys.readouterr().err
