"""Cache keys for report runs: a notebook re-runs only when something it depends on changed.

Quarto's freeze and jupyter-cache key on the notebook's source alone and miss data and
environment changes. Our key has five parts, each a sha256, so `--explain` can say which
one changed: the notebook (every cell's source), its parameters, the processed data (the
manifest's data version), the library's source (src/analysis, templates included) and the
installed environment (every distribution's name and version, and the Python version).
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

from analysis import atomic

PARTS = ("notebook", "parameters", "data", "library", "environment")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def notebook_part(path: Path) -> str:
    """Hash of the cells' sources and types; outputs and metadata do not matter."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = [(c.get("cell_type"), "".join(c.get("source", [])) if isinstance(
        c.get("source"), list) else c.get("source", "")) for c in nb.get("cells", [])]
    return _sha(json.dumps(cells, ensure_ascii=False).encode())


def parameters_part(parameters: dict) -> str:
    return _sha(json.dumps(parameters, sort_keys=True, default=str).encode())


@cache
def library_part() -> str:
    """Hash of every file of the installed `analysis` package (code and templates)."""
    root = Path(__file__).parent
    h = hashlib.sha256()
    for f in sorted(root.rglob("*")):
        if f.is_file() and "__pycache__" not in f.parts:
            h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


@cache
def environment_part() -> str:
    """Hash of the installed distributions and the interpreter version.

    The `*.dist-info` folder names carry name and version; listing them is ~50× faster than
    reading every distribution's metadata, which a no-change run cannot afford.
    """
    names = set()
    for entry in sys.path[1:]:  # [0] is the script's or the current folder: not installed
        folder = Path(entry)
        if folder.is_dir():
            names.update(p.name.lower() for p in folder.iterdir()
                         if p.suffix in (".dist-info", ".egg-info"))
    return _sha(("\n".join([sys.version, *sorted(names)])).encode())


@dataclass(frozen=True)
class Key:
    notebook: str
    parameters: str
    data: str
    library: str
    environment: str

    @property
    def digest(self) -> str:
        return _sha("".join(getattr(self, p) for p in PARTS).encode())[:16]

    def changed(self, other: dict | None) -> list[str]:
        """Which parts differ from a previous run's recorded key (all when there is none)."""
        if not other:
            return list(PARTS)
        return [p for p in PARTS if other.get(p) != getattr(self, p)]

    def as_dict(self) -> dict:
        return asdict(self)


def current_inputs(manifest: dict, names: list[str], processed: str, root: Path,
                   raw: dict[str, str | None] | None = None) -> dict[str, str | None]:
    """The sha256 each data file (a path from `root`) has now, None when it is gone.

    A processed file's is the manifest's (the loaders refuse one that differs from it);
    a raw file read as it is (the boundaries) is hashed: it may have changed since the build,
    and what the notebook would read now is the file, not what the build saw. `raw`: the
    raw files' hashes when the caller has them already (`manifest.raw_hashes`).
    """
    out: dict[str, str | None] = {}
    for name in names:
        path = root / name
        if name.startswith(processed + "/"):
            out[name] = manifest.get("outputs", {}).get(name[len(processed) + 1:])
        elif raw is not None and name in raw:
            out[name] = raw[name]
        else:
            out[name] = atomic.sha256_file(path) if path.is_file() else None
    return out


def data_part(inputs: dict[str, str | None] | None, data_version: str) -> str:
    """What a run read (path → sha256), or the whole data version when it read nothing."""
    if not inputs:
        return _sha(data_version.encode())
    return _sha(json.dumps(inputs, sort_keys=True).encode())


def key_for(notebook: Path, parameters: dict, data: str) -> Key:
    """The key of a run; `data` is `data_part(...)`."""
    return Key(notebook_part(notebook), parameters_part(parameters), data, library_part(),
               environment_part())
