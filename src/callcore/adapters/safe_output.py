"""Writing a file without ever losing one (issue 18, quality.md R12).

Every command that writes a file goes through :func:`safe_output`:

- an output that *is* one of the command's inputs — the same file by ``os.path.samefile``,
  so through symlinks and hard links, or a file of an SQLite store being read — is
  refused before anything is opened for writing;
- an output that already exists is refused unless the caller forces it (``--force``);
- the content goes to a temporary file beside the output, is flushed to the disk
  (``fsync``) and only then renamed over it (``os.replace``, atomic on POSIX). A write
  that fails or is killed half-way leaves the old file exactly as it was, and at worst a
  ``.<name>.*.part`` file beside it.

An output given through a symlink replaces the file the link points to; the link stays.

:func:`check_distinct` is the same rule for every pair of a command's path arguments
(a store's file, logs, directory files, outputs): no two may be one file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO


class OutputRefused(ValueError):
    """The output would overwrite an input, or an existing file without ``--force``."""


def check_output(
    out: str | Path, inputs: Iterable[str | Path] = (), *, force: bool = False
) -> Path:
    """The file to write (symlinks resolved), or :class:`OutputRefused` saying why not."""
    given = Path(out)
    target = Path(os.path.realpath(given))
    if target.is_dir():
        raise OutputRefused(f"{out} is a directory; give a file to write")
    for source in inputs:
        if _same_file(target, Path(source)):
            raise OutputRefused(
                f"{out} is the same file as the input {source}; write to another file"
            )
    if not target.parent.is_dir():
        raise OutputRefused(f"cannot write {out}: no such directory {target.parent}")
    if target.exists() and not force:
        raise OutputRefused(f"{out} exists; give --force to replace it")
    return target


def check_distinct(named: Iterable[tuple[str, str | Path | None]]) -> None:
    """Refuse two path arguments of one command that are the same file (by ``samefile``,
    so through symlinks and hard links, or where they lead when one does not exist yet):
    a log given as the store, a directory file given as the output. ``named`` is
    (what the user called it, the path) for every path-like argument; None is skipped."""
    given = [(name, Path(path)) for name, path in named if path is not None and str(path)]
    for index, (name, path) in enumerate(given):
        for other, other_path in given[index + 1 :]:
            if _same_file(path, other_path):
                raise OutputRefused(
                    f"{name} {path} and {other} {other_path} are the same file; give each its own"
                )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): compare where they lead
        return os.path.realpath(a) == os.path.realpath(b)


@contextlib.contextmanager
def safe_output(
    out: str | Path,
    inputs: Iterable[str | Path] = (),
    *,
    force: bool = False,
) -> Iterator[IO[bytes]]:
    """A file to write ``out`` through: it takes ``out``'s place only when the ``with``
    block ends without an error, complete and on the disk."""
    target = check_output(out, inputs, force=force)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".part", dir=target.parent
    )
    try:
        with os.fdopen(handle, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        _keep_permissions(target, temporary)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_directory(target.parent)


def write_bytes(
    out: str | Path, content: bytes, inputs: Iterable[str | Path] = (), *, force: bool = False
) -> None:
    with safe_output(out, inputs, force=force) as file:
        file.write(content)


def _keep_permissions(target: Path, temporary: str) -> None:
    """The new file gets the old one's mode, or the usual one for a new file (mkstemp
    makes it private)."""
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(temporary, mode)


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable (a crash right after it keeps the new file)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
