"""raw → processed: validate every raw table, then write the processed ledger.

Nothing is written unless all of the raw data is valid. Each file is written atomically
and only when its bytes change; the manifest goes last, so a build that dies half-way
leaves a manifest that no longer matches, which the loaders detect.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from analysis import atomic, geo, lock, paths, provenance, schema
from analysis.errors import ValidationError
from analysis.ledger import load_boundaries
from analysis.manifest import MANIFEST
from analysis.schema import Table
from analysis.validate import RawData, load_raw, read_csv

DATAPACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
RESOURCE_PROFILE = "https://datapackage.org/profiles/2.0/dataresource.json"


def join_figures(raw: RawData) -> pd.DataFrame:
    """The ledger: each figure with its source, measure and place columns (schema.ledger_table)."""
    joined = {table for _, table, _ in schema.JOINED_COLUMNS}
    keys = {name: schema.TABLES[name].primary_key for name in sorted(joined)}
    tables = {name: getattr(raw, name).set_index(key) for name, key in keys.items()}
    out = raw.figures.copy()
    for column, table, field in schema.JOINED_COLUMNS:
        key = "destination_place_id" if column.startswith("destination_") else keys[table]
        out[column] = out[key].map(tables[table][field]).astype(tables[table][field].dtype)
    columns = schema.ledger_table().columns
    return out[columns].sort_values("figure_id", kind="stable").reset_index(drop=True)


def csv_bytes(frame: pd.DataFrame, table: Table) -> bytes:
    """Deterministic CSV: schema column order, ISO dates, integers without '.0', LF endings."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(table.columns)
    cells = {f.name: _cells(frame[f.name], f.type) for f in table.fields}
    for i in range(len(frame)):
        writer.writerow([cells[c][i] for c in table.columns])
    return buf.getvalue().encode("utf-8")


def _cells(series: pd.Series, kind: str) -> list[str]:
    if kind == "date":
        return ["" if pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d") for v in series]
    if kind == "integer":
        return ["" if pd.isna(v) else str(int(v)) for v in series]
    if kind == "number":
        return ["" if pd.isna(v) else repr(float(v)) for v in series]
    return ["" if pd.isna(v) else str(v) for v in series]


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buf,
                   compression="zstd")
    return buf.getvalue()


def geojson_bytes(places: pd.DataFrame) -> bytes:
    """Places as GeoJSON points; a place without coordinates has a null geometry."""
    features = []
    for rec in places.sort_values("place_id").to_dict("records"):
        props = {k: (None if pd.isna(v) else v) for k, v in rec.items()}
        geometry = None
        if props["lat"] is not None:
            geometry = {"type": "Point", "coordinates": [float(props["lon"]),
                                                         float(props["lat"])]}
        features.append({"type": "Feature", "id": props["place_id"], "properties": props,
                         "geometry": geometry})
    doc = {"type": "FeatureCollection", "features": features}
    return (json.dumps(doc, ensure_ascii=False, indent=1, default=_json_default) + "\n").encode()


def _json_default(value: object) -> object:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(type(value))


@contextmanager
def _gdal_config(**options: str) -> Iterator[None]:
    """Set GDAL config options for one write, then restore them (they are process-wide)."""
    import pyogrio

    before = {k: pyogrio.get_gdal_config_option(k) for k in options}
    pyogrio.set_gdal_config_options(options)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(before)


def gpkg_stamp(sources: pd.DataFrame) -> str:
    """The GeoPackage's `last_change` time: the newest source date, so the bytes follow the
    data and never the clock (GDAL would write the current time)."""
    newest = sources["published"].max()
    day = pd.Timestamp(newest) if pd.notna(newest) else pd.Timestamp("2026-01-01")
    return f"{day:%Y-%m-%d}T00:00:00.000Z"


WORK = ".build-work"  # under data/: GDAL's scratch GeoPackage while a build runs


@contextmanager
def _scratch(work: Path | None) -> Iterator[Path]:
    """A folder for GDAL to write in: `work` (emptied first, removed after: a build killed
    while writing leaves it behind for the next build to clear), else a temporary one."""
    if work is None:
        with tempfile.TemporaryDirectory(prefix="analysis-gpkg-") as tmp:
            yield Path(tmp)
        return
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def geopackage_bytes(layers: dict[str, pd.DataFrame], stamp: str,
                     work: Path | None = None) -> bytes:
    """A GeoPackage (written by GDAL through pyogrio) with the given layers, as bytes.

    Byte-for-byte deterministic for a given pyogrio build: OGR_CURRENT_DATE fixes the
    timestamps GDAL writes into gpkg_contents, and the same writes in the same order give
    the same SQLite pages. A different GDAL or SQLite version may lay pages out differently.
    GDAL cannot add a second layer to an in-memory file, hence a folder (`_scratch`).
    """
    import pyogrio

    with _scratch(work) as tmp, _gdal_config(OGR_CURRENT_DATE=stamp):
        path = tmp / "places.gpkg"
        for name, frame in layers.items():
            # GeoPackage 1.2: readable without warnings by older GDAL (Debian 12 has 3.6).
            pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG",
                                    dataset_options={"VERSION": "1.2"})
        return path.read_bytes()


def geo_layers(places: pd.DataFrame, admin1: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The GeoPackage's layers: the joined gazetteer (points) and the governorates."""
    import geopandas as gpd

    table = geo.gazetteer(places.sort_values("place_id").reset_index(drop=True), admin1)
    points = gpd.points_from_xy(table["lon"].astype("float64"), table["lat"].astype("float64"))
    gdf = gpd.GeoDataFrame(table, geometry=points, crs="EPSG:4326")
    gdf.loc[table["lat"].isna(), "geometry"] = None
    columns = ["admin1_code", "iso_3166_2", "adm0_a3", "name", "name_en", "name_ar",
               "type_en", "wikidataid", "geometry"]
    return {"places": gdf, "admin1": admin1[columns]}


def check_geography(p: paths.Paths, places: pd.DataFrame, admin1: pd.DataFrame) -> None:
    """Every governorate code exists, and every point lies within 2 km of its governorate."""
    path = p.raw / schema.PLACES.filename
    label = path.relative_to(p.root).as_posix() if p.root in path.parents else str(path)
    raw, _ = read_csv(schema.PLACES, path, label)
    lines = raw.lines if raw is not None else None
    found = geo.problems(places, admin1, label, lines)
    if found:
        raise ValidationError(found)


def file_resource(data: schema.DataFile) -> dict:
    """A Data Resource for a file that is not a table (GeoJSON, GeoPackage).

    No `type`: in Data Package v2 its only value is "table", and a resource without one "is
    considered to be a non-specific file" (https://datapackage.org/standard/data-resource/,
    `type`). No `schema` or `dialect`, which are for tabular resources; `encoding` only for a
    text file. Frictionless then checks that the file is there (and would check `hash` and
    `bytes`, which no resource here carries: manifest.json holds every output's sha256).
    """
    out = {"$schema": RESOURCE_PROFILE, "name": data.name, "path": data.filename,
           "scheme": "file", "format": data.format, "mediatype": data.mediatype}
    if data.encoding is not None:
        out["encoding"] = data.encoding
    out["description"] = data.description
    return out


def datapackage(outputs: dict[str, Table],
                files: tuple[schema.DataFile, ...] = schema.DATA_FILES) -> dict:
    """A Frictionless v2 data package: every processed CSV table, then the geographic files."""
    resources = []
    for filename, table in outputs.items():
        resources.append({
            "$schema": RESOURCE_PROFILE,
            "name": table.name,
            "type": "table",
            "path": filename,
            "scheme": "file",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "description": table.description,
            "dialect": {"$schema": "https://datapackage.org/profiles/2.0/tabledialect.json",
                        "header": True, "delimiter": ",", "lineTerminator": "\n"},
            "schema": schema.table_schema(table),
        })
    resources += [file_resource(f) for f in files]
    return {
        "$schema": DATAPACKAGE_PROFILE,
        "name": "isis-detainee-transfer-figures",
        "title": "Reported figures on the transfer of ISIS detainees from north-east Syria "
                 "to Iraq (2026)",
        "licenses": [{"name": "CC-BY-4.0",
                      "path": "https://creativecommons.org/licenses/by/4.0/",
                      "title": "Creative Commons Attribution 4.0 (the coding; see "
                               "data/raw/README.md for each input's own licence)"}],
        "resources": resources,
    }


def render(raw: RawData, root: Path | str | None = None,
           work: Path | None = None) -> dict[str, bytes]:
    """Every processed file's bytes, keyed by file name (`work`: see `geopackage_bytes`)."""
    ledger = join_figures(raw)
    tables = {
        "sources.csv": (raw.sources.sort_values("source_id"), schema.SOURCES),
        "claimants.csv": (raw.claimants.sort_values("claimant"), schema.CLAIMANTS),
        "measures.csv": (raw.measures.sort_values("measure"), schema.MEASURES),
        "places.csv": (raw.places.sort_values("place_id"), schema.PLACES),
        "figures.csv": (ledger, schema.ledger_table()),
        "destinations.csv": (raw.destinations.sort_values(["figure_id", "place_id"]),
                             schema.DESTINATIONS),
        "uncoded.csv": (raw.uncoded.sort_values("uncoded_id"), schema.UNCODED),
        "coverage.csv": (provenance.coverage(raw.figures, raw.texts, raw.uncoded),
                         schema.COVERAGE),
    }
    out = {name: csv_bytes(frame.reset_index(drop=True), table)
           for name, (frame, table) in tables.items()}
    out["figures.parquet"] = parquet_bytes(ledger)
    out[schema.PLACES_GEOJSON.filename] = geojson_bytes(raw.places)
    admin1 = load_boundaries("admin1", root)
    out[schema.PLACES_GPKG.filename] = geopackage_bytes(geo_layers(raw.places, admin1),
                                                        gpkg_stamp(raw.sources), work)
    package = datapackage({name: table for name, (_, table) in tables.items()})
    out["datapackage.json"] = _json_bytes(package)
    out["checklist.json"] = _json_bytes(schema.checklist())
    return out


def _json_bytes(doc: dict) -> bytes:
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def input_files(p: paths.Paths) -> list[Path]:
    return sorted(f for f in p.raw.rglob("*") if f.is_file() and not f.name.startswith("."))


def manifest(p: paths.Paths, outputs: dict[str, bytes]) -> dict:
    inputs = {f.relative_to(p.root).as_posix(): atomic.sha256_file(f) for f in input_files(p)}
    hashed = {name: hashlib.sha256(data).hexdigest() for name, data in sorted(outputs.items())}
    lines = "".join(f"{k} {v}\n" for k, v in sorted({**inputs, **hashed}.items()))
    return {
        "data_version": hashlib.sha256(lines.encode()).hexdigest()[:12],
        "inputs": inputs,
        "outputs": hashed,
    }


def validate(p: paths.Paths):
    """Every check a build makes before it writes: the raw tables, then their geography.
    `analysis check` runs exactly these (it once skipped the geography and said "ok")."""
    raw = load_raw(p.raw, label_root=p.root)
    check_geography(p, raw.places, load_boundaries("admin1", p.root))
    return raw


def build(root: Path | str | None = None, out: Path | str | None = None) -> dict:
    """Validate raw data and write the processed files as one set; return the manifest.

    One build at a time per project (a lock file); nothing is written unless every raw
    table is valid; the files are replaced together (`atomic.replace_set`), so a build
    killed at any moment leaves the previous processed data or the new one, never a mix.
    """
    p = paths.get(root)
    with lock.exclusive(p.root / "data" / ".build.lock", "analysis build"):
        raw = validate(p)  # raises before anything is written
        outputs = render(raw, p.root, p.root / "data" / WORK)  # under the lock: ours alone
        doc = manifest(p, outputs)
        target = Path(out) if out is not None else p.processed
        atomic.recover(target)  # under the lock: finish or drop what a killed build left
        atomic.replace_set(target, {**outputs, MANIFEST: _json_bytes(doc)})
    return doc
