"""Writing a pulled stack to a directory so that a failure or Ctrl-C half-way leaves nothing half-written.

Every file is first written into a temporary directory next to the target. A new (or empty) target directory is
then replaced by it with one rename. With ``force`` into a directory that has files, each file is moved into place
with an atomic rename; files pull did not write are never touched or deleted.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from rossum_iac.errors import UsageError


def _is_empty_dir(path: Path) -> bool:
    return path.is_dir() and not any(path.iterdir())


def check_target(directory: Path, force: bool) -> None:
    """Refuse before anything is read or written: a file, or a directory with files unless ``force``."""
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory}: exists and is not a directory")
    if directory.is_dir() and not _is_empty_dir(directory) and not force:
        raise UsageError(
            f"{directory}: the directory is not empty; pull into a new or empty directory, use --force to write "
            "over files of the same names (others are kept), or --update to bring a stack up to date"
        )


def write_files(directory: Path, files: Mapping[str, str], force: bool = False) -> list[Path]:
    """Write ``files`` (relative POSIX path -> text) under ``directory``; returns the paths written."""
    check_target(directory, force)
    for relative in files:
        parts = Path(relative).parts
        if Path(relative).is_absolute() or ".." in parts:
            raise ValueError(f"refusing to write outside the stack directory: {relative}")
    parent = directory.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.pull-", dir=parent))
    try:
        for relative, text in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
        if not directory.exists() or _is_empty_dir(directory):
            if directory.exists():
                directory.rmdir()
            os.replace(staging, directory)
        else:
            for relative in files:
                target = directory / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staging / relative, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return [directory / relative for relative in files]
