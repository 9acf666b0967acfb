"""Writing output files so that nothing half-written is ever left at the target path.

Data goes to a hidden temporary file in the target's directory (same filesystem, so the final ``os.replace``
is atomic); it is renamed over the target only when the writer finishes without error. Any exception,
``KeyboardInterrupt`` included, removes the temporary file and leaves an existing target untouched.
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


@functools.cache
def _umask() -> int:
    """The process umask, read once (reading it means setting it, which is not thread-safe to repeat)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_writer(target: str | Path) -> Iterator[BinaryIO]:
    """``with atomic_writer(path) as f: f.write(...)`` - the file appears at ``path`` only on success."""
    target = Path(target)
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=directory)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates 0600; give the file the permissions a plain open() would have.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def leftover_parts(directory: str | Path, name: str) -> list[Path]:
    """Temporary files of ``atomic_writer`` for ``name`` still in ``directory`` (for tests and diagnostics)."""
    return sorted(Path(directory).glob(f".{name}.*.part"))
