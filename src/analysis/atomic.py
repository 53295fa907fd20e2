"""Atomic file writes: a reader (or a killed process) never sees half a file."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path


def write_bytes(path: Path, data: bytes) -> None:
    """Write to a temp file in the same folder, fsync, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


JOURNAL = ".journal"


def replace_set(folder: Path, files: dict[str, bytes], name: str = "") -> None:
    """Replace several files under `folder` as one: a reader never sees half of the set.

    Each new file is written beside its target (`.name.new`), then a journal listing them is
    written and fsynced (the commit point), then each is renamed into place and the journal
    removed. A process killed before the journal leaves the old set (stray `.new` files are
    cleared by `recover`); killed after it, `recover` finishes the renames. Several
    processes may write different sets into one folder at once (the runner's workers), so
    this never touches another set's files; callers recover while holding their lock.
    """
    folder.mkdir(parents=True, exist_ok=True)
    staged = {}
    for rel, data in sorted(files.items()):
        target = folder / rel
        tmp = target.with_name(f".{target.name}.new")
        write_bytes(tmp, data)
        staged[rel] = tmp.relative_to(folder).as_posix()
    journal = folder / f"{JOURNAL}{'-' + name if name else ''}.json"
    write_text(journal, json.dumps(staged, sort_keys=True))
    _finish(folder, journal, staged)


def _finish(folder: Path, journal: Path, staged: dict[str, str] | None = None) -> None:
    if staged is None:
        staged = json.loads(journal.read_text(encoding="utf-8"))
    for rel, tmp in staged.items():
        try:
            os.replace(folder / tmp, folder / rel)
        except FileNotFoundError:
            pass  # already moved (by a reader finishing this committed set)
    journal.unlink(missing_ok=True)


def recover(folder: Path, drop_staged: bool = True) -> None:
    """Finish every set whose journal was committed; with `drop_staged` (only for a caller
    that holds the folder's lock, so no writer is staging), delete files of unfinished sets.
    """
    if not folder.is_dir():
        return
    for journal in sorted(folder.glob(f"{JOURNAL}*.json")):
        try:
            _finish(folder, journal)
        except (json.JSONDecodeError, UnicodeDecodeError):
            if drop_staged:
                journal.unlink(missing_ok=True)  # torn journal: its set never committed
        except FileNotFoundError:
            pass  # finished meanwhile by its writer
    if not drop_staged:
        return
    for stray in folder.rglob(".*.new"):
        stray.unlink(missing_ok=True)
    for stray in folder.rglob(".*.tmp"):
        stray.unlink(missing_ok=True)
