"""Typed loaders for the processed ledger (what `analysis build` wrote).

The raw tables are validated by the build; loaders check that what they read is what the
build wrote (sha256 in the manifest) and warn when the raw data changed since.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis import i18n, parameters, paths, schema
from analysis.atomic import sha256_file
from analysis.errors import AnalysisError, Problem, ValidationError
from analysis.manifest import changed_inputs, load_manifest
from analysis.schema import Table

if TYPE_CHECKING:
    import geopandas as gpd

class StaleDataWarning(UserWarning):
    """The raw data changed after the last `analysis build`."""


def note_read(path: Path, root: Path) -> None:
    """Note a data file this process read, for `analysis run`: a report re-runs when what it
    read changed, not whenever any data did (see `analysis.cache`)."""
    log = os.environ.get(paths.READS)
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(paths.relative(path, root) + "\n")


def _checked(name: str, root: Path | str | None) -> tuple[Path, str]:
    """Path of a processed file whose bytes match the manifest, and their sha256."""
    p = paths.get(root)
    manifest = load_manifest(root)
    path = p.processed / name
    rel = paths.relative(path, p.root)
    note_read(path, p.root)
    expected = manifest.get("outputs", {}).get(name)
    if not path.is_file():
        raise AnalysisError(f"{rel}: missing; run `analysis build`")
    digest = sha256_file(path)
    if expected != digest:
        raise AnalysisError(f"{rel}: does not match the manifest (edited by hand or a build "
                            "was interrupted); run `analysis build`")
    stale = changed_inputs(manifest, p.root)
    if stale:
        warnings.warn(f"raw data changed since the last build ({', '.join(stale)}); "
                      "run `analysis build` to include it", StaleDataWarning, stacklevel=3)
    return path, digest


def read_table(table: Table, path: Path, label: str) -> pd.DataFrame:
    """Read a processed CSV with the dtypes the schema gives."""
    dtypes = {f.name: schema.pandas_dtype(f) for f in table.fields if f.type != "date"}
    frame = pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values=[""],
                        encoding="utf-8")
    if list(frame.columns) != table.columns:
        raise ValidationError([Problem(label, 1, None, "columns differ from the schema")])
    for f in table.fields:
        if f.type == "date":
            frame[f.name] = pd.to_datetime(frame[f.name], format="%Y-%m-%d").astype(
                "datetime64[s]")
    return frame


# (table, sha256 of its file) → the table as read: parsed once per process, where the
# library's functions each read the ledger (a figures page read it five times). Each caller
# gets a copy of its own.
_READ: dict[tuple[str, str], pd.DataFrame] = {}


def _load(table: Table, root: Path | str | None) -> pd.DataFrame:
    path, digest = _checked(table.filename, root)
    if (table.name, digest) not in _READ:
        _READ[table.name, digest] = read_table(table, path,
                                               paths.relative(path, paths.get(root).root))
    return _READ[table.name, digest].copy()


def load_claimants(root: Path | str | None = None) -> pd.DataFrame:
    return _load(schema.CLAIMANTS, root)


def load_sources(root: Path | str | None = None) -> pd.DataFrame:
    return _load(schema.SOURCES, root)


def load_measures(root: Path | str | None = None) -> pd.DataFrame:
    return _load(schema.MEASURES, root)


def cutoff(as_of: object) -> pd.Timestamp | None:
    """`as_of` as a timestamp (None: every report), or an error saying what a date is."""
    parameters.check_as_of(as_of)
    return None if as_of is None else pd.Timestamp(as_of)


def check_measure(measure: object, figures: pd.DataFrame | None = None) -> None:
    """A measure measures.csv defines, when the ledger is read here (`figures` None): a typo
    would otherwise read as a measure nobody reported. A frame passed in is the caller's own
    (often already cut at a date before any claim of the measure): not checked."""
    if figures is not None:
        return
    known = set(load_measures()["measure"])
    if not isinstance(measure, str) or measure not in known:  # a list is no measure either
        raise AnalysisError(f"unknown measure {measure!r}; the measures are: "
                            f"{', '.join(sorted(map(str, known)))}")


def load_figures(as_of: str | pd.Timestamp | None = None,
                 root: Path | str | None = None) -> pd.DataFrame:
    """Every figure joined with its source, measure and place.

    With `as_of`, only figures from sources published on or before that date: an undated
    source cannot be shown to precede it and is left out.
    """
    when = cutoff(as_of)
    frame = _load(schema.ledger_table(), root)
    if when is not None:
        frame = frame[frame["published"].notna() & (frame["published"] <= when)]
        frame = frame.reset_index(drop=True)
    return frame


def load_destinations(root: Path | str | None = None) -> pd.DataFrame:
    """Places each figure's report names as a transfer destination, or rules out.

    Kept apart from the figures because one report can name several places while its
    number holds for the whole transfer. A row is known when its figure is: keep the rows
    whose `figure_id` is in `load_figures(as_of=...)` to see them as known on a date.
    """
    return _load(schema.DESTINATIONS, root)


def load_places(root: Path | str | None = None) -> gpd.GeoDataFrame:
    """The gazetteer as points (EPSG:4326), each place joined to its governorate.

    A place without coordinates has no geometry (never a guessed point). Added columns
    (see `analysis.geo.gazetteer`): `admin1_match`, `admin1_km`, `admin1_name_en`,
    `admin1_name_ar` and `drawn_as`.
    """
    import geopandas as gpd

    from analysis import geo

    frame = _load(schema.PLACES, root)
    frame = geo.gazetteer(frame, load_boundaries("admin1", root))
    geometry = gpd.points_from_xy(frame["lon"].astype("float64"), frame["lat"].astype("float64"))
    gdf = gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")
    gdf.loc[frame["lat"].isna(), "geometry"] = None
    return gdf


BOUNDARY_FILES = {
    "admin1": "ne10m_admin1_syr_irq.geojson",
    "admin0": "ne10m_admin0_region.geojson",
}


def load_boundaries(level: str = "admin1", root: Path | str | None = None) -> gpd.GeoDataFrame:
    """Natural Earth polygons: `admin1` (Syria and Iraq governorates) or `admin0` (region).

    Natural Earth's own codes are kept (`iso_3166_2`, `adm0_a3`); the ISO codes the gazetteer
    joins on are added as `admin1_code` (Kirkuk IQ-TS → IQ-KI) or `country_iso3`.
    """
    import pyogrio

    from analysis import geo

    if level not in BOUNDARY_FILES:
        raise AnalysisError(f"unknown boundary level {level!r}; use one of "
                            + ", ".join(BOUNDARY_FILES))
    p = paths.get(root)
    path = p.boundaries / BOUNDARY_FILES[level]
    rel = paths.relative(path, p.root)
    if not path.is_file():
        raise AnalysisError(f"{rel}: missing boundaries file")
    note_read(path, p.root)
    try:
        gdf = pyogrio.read_dataframe(path)
    except Exception as exc:  # pyogrio raises several GDAL error types
        raise AnalysisError(f"{rel}: cannot be read as GeoJSON ({exc})") from None
    key = "iso_3166_2" if level == "admin1" else "adm0_a3"
    if key not in gdf.columns or gdf.crs is None or gdf.crs.to_epsg() != 4326:
        raise AnalysisError(f"{rel}: expected Natural Earth polygons in EPSG:4326 with a "
                            f"{key!r} column; rebuild with `make boundaries`")
    gdf = gdf.sort_values(key, kind="stable").reset_index(drop=True)
    return geo.with_codes(gdf, level)


def measure_labels(lang: str = "en", root: object = None) -> dict[str, str]:
    """Measure ids to their label in the reader's language."""
    i18n.check_lang(lang)
    table = load_measures(root)
    column = "label_ar" if lang == "ar" else "label_en"
    return dict(zip(table["measure"], table[column], strict=True))


def claimant_names(lang: str = "en", root: object = None) -> dict[str, str]:
    """Claimant names in the reader's language (Arabic from claimants.csv; else as coded)."""
    i18n.check_lang(lang)
    if lang != "ar":
        return {}
    table = load_claimants(root)
    return {c: n for c, n in zip(table["claimant"], table["name_ar"], strict=True)
            if isinstance(n, str) and n.strip()}


def names_for(lang: str, names: Mapping[str, str] | None = None) -> Mapping[str, str]:
    """`names` when given, else `claimant_names(lang)`: read once by a caller that names many
    claimants (a table, a map), and replaceable by a test's own names."""
    return claimant_names(lang) if names is None else names


def claimant_name(claimant: str, names: Mapping[str, str] | None) -> str:
    """A claimant as the reader sees it: its name in `names`, else its id as coded."""
    return (names or {}).get(claimant) or claimant
