"""Every path of the project, derived from one root."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import AnalysisError

_MARKER = Path("data") / "raw" / "sources.csv"
READS = "ANALYSIS_READS"  # environment: a file where `ledger.note_read` notes each read


@dataclass(frozen=True)
class Paths:
    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def processed(self) -> Path:
        return self.root / "data" / "processed"

    @property
    def boundaries(self) -> Path:
        return self.raw / "boundaries"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def reports(self) -> Path:
        return self.root / "reports"


def find_root(start: Path | None = None) -> Path:
    """The project root: $ANALYSIS_ROOT, else the checkout holding this package, else cwd up."""
    env = os.environ.get("ANALYSIS_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve().parents[2]
    if (here / _MARKER).is_file():
        return here
    cur = (start or Path.cwd()).resolve()
    for candidate in (cur, *cur.parents):
        if (candidate / _MARKER).is_file():
            return candidate
    raise AnalysisError(
        "cannot find the project root (a folder with data/raw/sources.csv); "
        "set ANALYSIS_ROOT or run from inside the checkout"
    )


def relative(path: Path, root: Path) -> str:
    """A path as shown in messages: relative to the project root when inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def get(root: Path | str | None = None) -> Paths:
    return Paths(Path(root).resolve() if root is not None else find_root())
