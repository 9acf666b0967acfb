"""Reading the files of a manifest directory safely: only regular files inside it, and only up to a size.

A stack directory may hold anything: a ``*.yaml`` symbolic link to a file elsewhere (``~/.ssh/...``, ``/dev/zero``),
a named pipe (reading it would wait forever), a device, a file of gigabytes. Every manifest, environment file and
included file is read through :class:`ManifestFiles`, which refuses, without opening them:

- a symbolic link whose target is outside the directory (or a link that loops or leads nowhere);
- anything that is not a regular file (directory, named pipe, socket, device);
- a file over :data:`MAX_FILE_BYTES`.

The file is opened non-blocking and checked again on the open descriptor, so one swapped in after the checks is
still refused.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

MAX_FILE_BYTES = 4 * 1024 * 1024
"""Largest manifest or included file read (4 MiB). The largest real configuration object seen (a hook's code) is
about 0.7 MB; a YAML file of 4 MiB takes some 150 MB of memory to load with positions."""

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


class FileProblem(Exception):
    """Why a file of the manifest directory is not read; ``str()`` completes "<file> ..."."""


def _what(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB" if size >= 1024 * 1024 else f"{size:,} bytes"


class ManifestFiles:
    """The files of one manifest directory, read as the module says. It remembers the directories below the root
    already found to be real directories (not links), so a file costs one ``lstat`` of its own besides opening it:
    checking every part of every path again was most of the time spent reading the 3,700 files of a 5,000-object
    stack."""

    def __init__(self, root_resolved: Path):
        self.root_resolved = root_resolved
        self._real_dirs: set[str] = set()

    def resolve(self, path: Path) -> Path:
        """``path`` with symbolic links resolved; raises ``FileProblem`` when that leaves the root."""
        found = self._below_root(path)
        return Path(found[0]) if found is not None else self._resolve_long(path)

    def read(self, path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
        """The bytes of ``path``, a regular file inside the root (after symbolic links) of at most ``limit``
        bytes; raises ``FileProblem`` otherwise."""
        found = self._below_root(path)
        if found is not None:
            resolved, info = found
        else:
            resolved = os.fspath(self._resolve_long(path))
            try:
                info = os.stat(resolved)
            except OSError as exc:
                raise FileProblem(f"cannot be read: {exc.strerror}") from None
        _check(info, limit)
        try:
            fd = os.open(resolved, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            raise FileProblem(f"cannot be read: {exc.strerror}") from None
        with os.fdopen(fd, "rb") as handle:
            opened = os.fstat(fd)
            _check(opened, limit)  # the file opened is the one checked
            # Its size and one byte more (read(n) allocates n bytes first: 4 MiB for every small manifest cost some
            # 0.15 s of CPU when loading 5,000 objects); if that byte came, it grew: read on, up to the limit.
            data = handle.read(opened.st_size + 1)
            if len(data) > opened.st_size:
                data += handle.read(limit + 1 - len(data))
        if len(data) > limit:  # grew while being read
            raise FileProblem(f"is larger than {_size(limit)}, the most rossum-iac reads from one file")
        return data

    def _resolve_long(self, path: Path) -> Path:
        try:
            resolved = path.resolve(strict=True)
        except (OSError, RuntimeError) as exc:  # a loop (RuntimeError before Python 3.13), a dangling link
            if path.is_symlink():
                loops = isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP
                reason = "loops" if loops else "leads nowhere"
                raise FileProblem(f"is a symbolic link that {reason} ({os.readlink(path)})") from None
            raise FileProblem(f"cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
        if not resolved.is_relative_to(self.root_resolved):
            raise FileProblem(
                f"is a symbolic link to {resolved}, outside the manifest directory; only files inside it are read"
            )
        return resolved

    def _below_root(self, path: Path) -> tuple[str, os.stat_result] | None:
        """What ``path.resolve(strict=True)`` gives, with the ``lstat`` of that last part, found without resolving
        the root again, when ``path`` is spelled as a path below it (relative paths count from the working
        directory, which has no symbolic links) and no part below it is a symbolic link: then each part below the
        root is checked (``lstat``) as ``resolve`` would, but not the root's own parts (``Path.resolve`` of each of
        5,000 manifests, one ``lstat`` per part of the whole path, was a twentieth of a plan's CPU), nor a
        directory already checked. ``None`` in any other case (a link, ``..``, a missing part): the caller
        resolves the whole path."""
        if os.name != "posix":  # elsewhere links are not only what lstat calls links (junctions)
            return None
        text = os.fspath(path)
        if not text.startswith("/"):
            text = os.getcwd() + "/" + text
        current = os.fspath(self.root_resolved).rstrip("/")  # "" for the file system's root
        prefix = current + "/"
        if not text.startswith(prefix):
            return None
        parts = text[len(prefix) :].split("/")
        last = len(parts) - 1
        for index, part in enumerate(parts):
            if part in ("", ".", ".."):
                return None
            current = current + "/" + part
            if index < last and current in self._real_dirs:
                continue
            try:
                info = os.lstat(current)
            except OSError:
                return None
            if stat.S_ISLNK(info.st_mode):
                return None
            if index < last:
                if not stat.S_ISDIR(info.st_mode):
                    return None
                self._real_dirs.add(current)
        return current, info


def _check(info: os.stat_result, limit: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise FileProblem(f"is {_what(info.st_mode)}, not a regular file; manifests and included files must be files")
    if info.st_size > limit:
        raise FileProblem(
            f"is {_size(info.st_size)}, more than the {_size(limit)} rossum-iac reads from one file; split it "
            "(one object per file, schema content in its own file)"
        )


def decode_utf8(data: bytes) -> tuple[str | None, tuple[int, int], str]:
    """``(text, (0, 0), "")`` for UTF-8, else ``(None, (line, column), message)`` pointing at the first bad byte
    (column counted in bytes)."""
    try:
        return data.decode("utf-8"), (0, 0), ""
    except UnicodeDecodeError as exc:
        start = exc.start
        line = data.count(b"\n", 0, start) + 1
        column = start - (data.rfind(b"\n", 0, start) + 1) + 1
        return None, (line, column), f"byte 0x{data[start]:02x} at offset {start}"
