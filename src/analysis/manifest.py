"""The processed data's manifest: sha256 of every input and output, and the data version.

Kept free of heavy imports: the runner reads it on every `analysis run`.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from analysis import atomic, paths
from analysis.errors import AnalysisError

MANIFEST = "manifest.json"


def load_manifest(root: Path | str | None = None) -> dict:
    p = paths.get(root)
    with contextlib.suppress(OSError):  # finish a build that was killed after its commit
        atomic.recover(p.processed, drop_staged=False)  # a build may be staging right now
    path = p.processed / MANIFEST
    rel = paths.relative(path, p.root)
    if not path.is_file():
        raise AnalysisError(f"{rel}: missing; run `analysis build` first")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AnalysisError(f"{rel}: unreadable ({exc}); run `analysis build` again") from None


def raw_hashes(manifest: dict, root: Path) -> dict[str, str | None]:
    """The sha256 each raw input of the last build has now (None: gone). A run hashes them
    once, for its stale-data warning and for the keys of the notebooks that read them."""
    return {k: atomic.sha256_file(root / k) if (root / k).is_file() else None
            for k in sorted(manifest.get("inputs", {}))}


def changed_inputs(manifest: dict, root: Path,
                   now: dict[str, str | None] | None = None) -> list[str]:
    """The raw files (paths from `root`) whose bytes differ from the last build's, or that
    are gone: the processed data no longer reflects them until `analysis build` runs.
    `now`: `raw_hashes`, when the caller has them already."""
    now = raw_hashes(manifest, root) if now is None else now
    return sorted(k for k, v in manifest.get("inputs", {}).items() if now.get(k) != v)
