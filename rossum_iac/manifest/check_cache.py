"""Compiled schema checks kept between runs, like Python keeps ``.pyc`` files.

Generating fastjsonschema's check of a kind and compiling it costs ~7 ms per kind, ~60 ms for a stack of
every kind: a third of ``rossum-iac validate``. The compiled code objects are kept, marshalled, in
``$ROSSUM_IAC_CACHE_DIR`` (else ``$XDG_CACHE_HOME/rossum-iac``, else ``~/.cache/rossum-iac``), one file per
check, named by a digest of everything that shapes the code: the schema given, fastjsonschema's version and
the interpreter's bytecode magic number. A changed schema or library is a different file; nothing is ever
invalidated in place. ``ROSSUM_IAC_CACHE_DIR=off`` turns the cache off. A cache that cannot be read or
written (read-only home, corrupt file) costs only the time it was meant to save.
"""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import CodeType

OFF = "off"


def cache_dir() -> Path | None:
    """Where compiled checks are kept, or None when the cache is turned off."""
    configured = os.environ.get("ROSSUM_IAC_CACHE_DIR")
    if configured is not None:
        return None if configured.strip().lower() in (OFF, "") else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "rossum-iac"


def compiled(name: str, key: str, source: Callable[[], str]) -> CodeType:
    """The code object of ``source()`` (Python text), from the cache when ``key`` (a text that changes whenever
    the source would) was compiled before; ``name`` labels the code in tracebacks."""
    folder = cache_dir()
    digest = hashlib.sha256("\0".join((key, importlib.util.MAGIC_NUMBER.hex())).encode()).hexdigest()[:32]
    path = folder / f"check-{digest}.marshal" if folder is not None else None
    if path is not None:
        code = _read(path)
        if code is not None:
            return code
    code = compile(source(), f"<schema check {name}>", "exec")
    if path is not None:
        _write(path, code)
    return code


def _read(path: Path) -> CodeType | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        code = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, CodeType) else None


def _write(path: Path, code: CodeType) -> None:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".check-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(marshal.dumps(code))
            os.replace(temporary, path)  # readers see the whole file or none
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        pass
