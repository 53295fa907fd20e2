"""The build: deterministic bytes, equal to what is committed, valid Frictionless package."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyogrio
from conftest import ROOT, cli, tree_hash

import analysis
from analysis import build


def test_rebuild_matches_committed_processed_data(tmp_path):
    """data/processed is committed; rebuilding from data/raw must give the same bytes."""
    result = cli("build", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert tree_hash(tmp_path) == tree_hash(ROOT / "data" / "processed")


def test_build_twice_same_bytes(project, tmp_path):
    build.build(project, tmp_path / "a")
    build.build(project, tmp_path / "b")
    assert tree_hash(tmp_path / "a") == tree_hash(tmp_path / "b")
    assert sorted(tree_hash(tmp_path / "a")) == [
        "checklist.json", "claimants.csv", "coverage.csv", "datapackage.json",
        "destinations.csv", "figures.csv", "figures.parquet", "manifest.json", "measures.csv",
        "places.csv", "places.geojson", "places.gpkg", "sources.csv", "uncoded.csv"]


def test_manifest_hashes_inputs_and_outputs(project):
    manifest = build.build(project)
    assert "data/raw/figures.csv" in manifest["inputs"]
    assert "data/raw/sources/alsumaria-2026-01-22-daesh-transfer.ar.txt" in manifest["inputs"]
    processed = tree_hash(project / "data" / "processed")
    processed.pop("manifest.json")
    assert manifest["outputs"] == processed
    assert len(manifest["data_version"]) == 12


def frictionless(folder: Path) -> dict:
    """`frictionless validate` (the real command) on a processed folder, with its checklist."""
    exe = Path(sys.executable).with_name("frictionless")
    checklist = (folder / "checklist.json").read_text(encoding="utf-8").strip()
    result = subprocess.run([str(exe), "validate", "--json", "--checklist", checklist,
                             str(folder / "datapackage.json")],
                            capture_output=True, text=True, timeout=300)
    return json.loads(result.stdout)


def test_frictionless_validates_the_package():
    """The real `frictionless validate` command accepts the generated datapackage.json."""
    report = frictionless(ROOT / "data" / "processed")
    assert report["valid"], json.dumps(report)[:2000]
    assert sorted(t["name"] for t in report["tasks"]) == [
        "claimants", "coverage", "destinations", "figures", "measures", "places",
        "places-geojson", "places-gpkg", "sources", "uncoded"]


def test_datapackage_lists_the_geographic_files():
    """A Frictionless user sees the GeoPackage and the GeoJSON, described as files, not tables."""
    package = json.loads((ROOT / "data/processed/datapackage.json").read_text("utf-8"))
    resources = {r["path"]: r for r in package["resources"]}
    gpkg, geojson = resources["places.gpkg"], resources["places.geojson"]
    assert (gpkg["name"], gpkg["format"], gpkg["mediatype"]) == \
        ("places-gpkg", "gpkg", "application/geopackage+sqlite3")
    assert (geojson["name"], geojson["format"], geojson["mediatype"], geojson["encoding"]) == \
        ("places-geojson", "geojson", "application/geo+json", "utf-8")
    for resource in (gpkg, geojson):
        assert resource["$schema"] == build.RESOURCE_PROFILE
        assert not {"type", "schema", "dialect"} & set(resource)  # a file, not a table
        assert "licenses" not in resource  # inherited from the package, like the tables
    assert "encoding" not in gpkg  # binary: Data Resource v2 encoding is for text files
    layers = pyogrio.list_layers(ROOT / "data/processed/places.gpkg")
    assert [name for name, _ in layers] == ["places", "admin1"]
    assert all(f"Layer {name}:" in gpkg["description"] for name, _ in layers)
    listed = {r["path"] for r in package["resources"]}
    written = {p.name for p in (ROOT / "data/processed").iterdir()}
    assert written - listed == {"datapackage.json", "manifest.json", "checklist.json",
                                "figures.parquet"}  # metadata, and the CSV ledger's copy


def test_frictionless_checks_that_the_geopackage_is_there(tmp_path):
    """The gpkg resource is validated, not skipped: without the file the package is invalid."""
    shutil.copytree(ROOT / "data" / "processed", tmp_path / "p")
    (tmp_path / "p" / "places.gpkg").unlink()
    report = frictionless(tmp_path / "p")
    assert not report["valid"]
    errors = [(t["name"], e["type"]) for t in report["tasks"] for e in t["errors"]]
    assert errors == [("places-gpkg", "scheme-error")]


def test_frictionless_catches_a_bad_processed_value(tmp_path):
    """The package's constraints are real: an out-of-vocabulary hedge fails validation."""
    shutil.copytree(ROOT / "data" / "processed", tmp_path / "p")
    path = tmp_path / "p" / "figures.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",up_to,", ",sometimes,", 1),
                    encoding="utf-8")
    report = frictionless(tmp_path / "p")
    assert not report["valid"]
    errors = [e for t in report["tasks"] for e in t["errors"]]
    assert [(e["type"], e["fieldName"]) for e in errors] == [("constraint-error", "hedge")]


def test_frictionless_checklist_catches_bounds_out_of_order(tmp_path):
    shutil.copytree(ROOT / "data" / "processed", tmp_path / "p")
    path = tmp_path / "p" / "figures.csv"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    row = next(i for i, line in enumerate(lines) if line.startswith("seed-01-moved,"))
    assert lines[row].count(",,150,,exact,") == 1
    lines[row] = lines[row].replace(",,150,,exact,", ",,150,100,range,")
    path.write_text("".join(lines), encoding="utf-8")
    report = frictionless(tmp_path / "p")
    errors = [e for t in report["tasks"] for e in t["errors"]]
    assert [(e["type"], e["rowNumber"]) for e in errors] == [("row-constraint", row + 1)]


def test_frictionless_checks_the_destinations_keys(tmp_path):
    """The package says what the build checks: a destination's figure exists, and a figure
    names a place once (a key of two fields)."""
    shutil.copytree(ROOT / "data" / "processed", tmp_path / "p")
    path = tmp_path / "p" / "destinations.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert [line.split(",")[1] for line in lines[1:3]] == ["karkh-prison", "nasiriyah-prison"]
    lines[2] = lines[2].replace(",nasiriyah-prison,", ",karkh-prison,", 1)
    lines[-1] = "rf-999" + lines[-1][lines[-1].index(","):]
    path.write_text("".join(lines), encoding="utf-8")
    report = frictionless(tmp_path / "p")
    errors = [e for t in report["tasks"] for e in t["errors"]]
    assert [(e["type"], e["rowNumber"]) for e in errors] == [("primary-key", 3),
                                                              ("foreign-key", len(lines))]


def test_load_destinations_after_adding_one(project):
    """A row appended to data/raw/destinations.csv reaches the loader once built."""
    raw = project / "data" / "raw" / "destinations.csv"
    with raw.open("a", encoding="utf-8") as fh:
        fh.write("rf-099,karkh-prison,named,,,,\"Named by a test, not by the source.\",\n")
    result = cli("--root", str(project), "build")
    assert result.returncode == 0, result.stderr
    got = analysis.load_destinations(root=project)
    expected = pd.read_csv(io.StringIO(
        "figure_id,place_id,role,quote,quote_start,quote_end\n"
        "rf-047,karkh-prison,named,,,\n"
        "rf-047,nasiriyah-prison,named,,,\n"
        "rf-047,sosa-prison,named,,,\n"
        "rf-081,sosa-prison,ruled_out,,,\n"
        "rf-099,karkh-prison,named,,,\n"),
        dtype={"figure_id": "string", "place_id": "string", "role": "string",
               "quote": "string", "quote_start": "Int64", "quote_end": "Int64"})
    pd.testing.assert_frame_equal(got[expected.columns], expected)
    assert got["paraphrase"].iloc[-1] == "Named by a test, not by the source."


def test_load_figures_has_the_seed_figures():
    got = analysis.load_figures()
    got = got[got["figure_id"].str.startswith("seed-")].reset_index(drop=True)
    expected = pd.read_csv(io.StringIO(
        "figure_id,claimant,measure,value_low,value_best,value_high,hedge,as_of,place_id\n"
        "seed-01-moved,CENTCOM,transferred_to_iraq,,150,,exact,2026-01-21,hasakah-governorate\n"
        "seed-02-planned,CENTCOM,planned_transfer_total,,,7000,up_to,2026-01-21,syria\n"
        "seed-03-guarded,SDF,held_by_sdf,,10000,,approx,,north-east-syria\n"
        "seed-04-detained-2025,CENTCOM,detained_in_syria,300,,,more_than,,syria\n"
        "seed-05-killed-2025,CENTCOM,killed_in_syria,20,,,more_than,,syria\n"),
        dtype={"value_low": "Int64", "value_best": "Int64", "value_high": "Int64",
               "figure_id": "string", "claimant": "string", "measure": "string",
               "hedge": "string", "place_id": "string"},
        parse_dates=["as_of"])
    expected["as_of"] = expected["as_of"].astype("datetime64[s]")
    pd.testing.assert_frame_equal(got[expected.columns], expected)


def test_load_figures_as_of_filters_by_publication():
    everything = analysis.load_figures()
    known = analysis.load_figures(as_of="2026-01-22")
    assert (known["published"] <= pd.Timestamp("2026-01-22")).all()
    assert len(known) == (everything["published"] <= pd.Timestamp("2026-01-22")).sum()
    assert "seed-01-moved" in set(known["figure_id"])
    assert "seed-01-moved" not in set(analysis.load_figures(as_of="2026-01-21")["figure_id"])
    assert len(analysis.load_figures(as_of="2024-12-31")) == 0


def test_load_places_is_a_geodataframe():
    places = analysis.load_places()
    assert places.crs.to_epsg() == 4326
    roj = places.set_index("place_id").loc["roj-camp"]
    assert roj.geometry is None  # no coordinates: never a guessed point
    ghweran = places.set_index("place_id").loc["ghweran-prison"]
    assert (round(ghweran.geometry.x, 4), round(ghweran.geometry.y, 4)) == (40.7625, 36.4775)


def test_loader_refuses_processed_data_edited_by_hand(project):
    path = project / "data" / "processed" / "figures.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("10000", "10001"),
                    encoding="utf-8")
    try:
        analysis.load_figures(root=project)
    except analysis.AnalysisError as exc:
        assert "data/processed/figures.csv: does not match the manifest" in str(exc)
    else:
        raise AssertionError("a hand-edited processed file was loaded")
