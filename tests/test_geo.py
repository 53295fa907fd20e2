"""Geography: boundaries as recorded, governorate codes, the gazetteer join, the GeoPackage."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import time

import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import ROOT, cli, tree_hash

import analysis
from analysis import build, geo

BOUNDARIES = ROOT / "data" / "raw" / "boundaries"


def load_script():
    path = ROOT / "scripts" / "rebuild_boundaries.py"
    spec = importlib.util.spec_from_file_location("rebuild_boundaries", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def admin1():
    return analysis.load_boundaries("admin1")


@pytest.fixture(scope="module")
def places():
    return analysis.load_places()


# -- boundaries ---------------------------------------------------------------------------------


def test_boundaries_are_the_recorded_files():
    """The committed files have the sha256 the README and the rebuild script record."""
    script = load_script()
    readme = (ROOT / "data" / "raw" / "README.md").read_text(encoding="utf-8")
    for name, expected in script.EXPECTED.items():
        assert script.sha256(BOUNDARIES / name) == expected, name
        row = next(line for line in readme.splitlines() if f"boundaries/{name}" in line)
        assert expected in row, name
    assert script.BUILD_SHA256 in readme


def test_admin1_codes_are_iso(admin1):
    assert admin1.crs.to_epsg() == 4326
    by_ne = admin1.set_index("iso_3166_2")
    assert by_ne.loc["IQ-TS", "admin1_code"] == "IQ-KI"  # Kirkuk
    assert by_ne.loc["IQ-TS", "name_en"] == "Kirkuk"
    assert pd.isna(by_ne.loc["SY-X01~", "admin1_code"])  # the UNDOF zone has no ISO code
    codes = admin1["admin1_code"].dropna()
    assert codes.is_unique
    assert all(re.fullmatch(r"(SY|IQ)-[A-Z]{2}", c) for c in codes)
    assert (codes.str[:2].value_counts().to_dict()) == {"IQ": 18, "SY": 14}
    admin0 = analysis.load_boundaries("admin0")
    assert admin0.set_index("adm0_a3").loc["PSX", "country_iso3"] == "PSE"
    assert {"SYR", "IRQ", "TUR"} <= set(admin0["country_iso3"])


def test_bad_boundary_level_is_a_clear_error():
    with pytest.raises(analysis.AnalysisError, match="unknown boundary level 'admin2'"):
        analysis.load_boundaries("admin2")


# -- the gazetteer join -------------------------------------------------------------------------


def test_every_place_is_joined_and_drawn_without_guessing(places, admin1):
    assert places.crs.to_epsg() == 4326
    known = set(admin1["admin1_code"].dropna())
    p = places.set_index("place_id")
    for place_id, row in p.iterrows():
        assert 1 <= row["geo_precision"] <= 7
        if row["kind"] in ("country", "region"):
            assert row["drawn_as"] in ("country", "none"), place_id
        else:
            assert row["admin1_code"] in known, place_id
    # No coordinates: drawn as the governorate, never at a point.
    for place_id in ("roj-camp", "sosa-prison", "shaddadi-prison", "al-jadaa-camp"):
        assert p.loc[place_id, "drawn_as"] == "admin1"
        assert p.loc[place_id, "geometry"] is None
    assert p.loc["sosa-prison", "admin1_name_en"] == "Sulaymaniyah"
    assert p.loc["north-east-syria", "drawn_as"] == "none"
    assert p.loc["syria", "drawn_as"] == "country"
    assert geo.problems(places.drop(columns="geometry"), admin1, "places.csv") == []


def test_karkh_prison_falls_outside_the_generalised_border(places, admin1):
    """Camp Cropper is by Baghdad airport; Natural Earth's border puts the point in Anbar."""
    karkh = places.set_index("place_id").loc["karkh-prison"]
    assert geo.locate(karkh["lat"], karkh["lon"], admin1)[:2] == ("IQ-AN", "within")
    assert karkh["admin1_code"] == "IQ-BG" and karkh["admin1_match"] == "code"
    assert 0.3 < karkh["admin1_km"] < geo.NEAREST_KM


def frame(rows: list[dict]) -> pd.DataFrame:
    base = {"place_id": "x", "name_en": "x", "name_ar": "x", "kind": "town", "lat": np.nan,
            "lon": np.nan, "geo_precision": 2, "admin1_code": None, "country_iso3": "SYR",
            "source": "test"}
    return pd.DataFrame([{**base, **r} for r in rows])


def test_points_without_a_code_join_by_polygon_then_nearest_within_2_km(admin1):
    table = geo.gazetteer(frame([
        {"place_id": "inside", "lat": 36.5117, "lon": 40.7422},      # Hasakah city
        {"place_id": "border", "lat": 37.08, "lon": 41.22},          # ~1.6 km into Turkey
        {"place_id": "far", "lat": 37.12, "lon": 41.22},             # ~6 km into Turkey
        {"place_id": "nowhere"},
    ]), admin1).set_index("place_id")
    assert (table.loc["inside", "admin1_code"], table.loc["inside", "admin1_match"]) == \
        ("SY-HA", "within")
    assert (table.loc["border", "admin1_code"], table.loc["border", "admin1_match"]) == \
        ("SY-HA", "nearest")
    assert 1.0 < table.loc["border", "admin1_km"] <= 2.0
    far = table.loc["far"]
    assert pd.isna(far["admin1_code"]) and far["admin1_match"] == "none"
    assert pd.isna(far["admin1_km"])  # no governorate within 2 km: not joined, not measured
    assert table.loc["nowhere", "admin1_match"] == "none"
    assert table.loc["nowhere", "drawn_as"] == "none"


def test_problems_name_the_line_and_the_fix(admin1):
    found = geo.problems(frame([
        {"place_id": "kirkuk", "admin1_code": "IQ-TS"},
        {"place_id": "baghdad-as-hasakah", "lat": 33.3128, "lon": 44.3615,
         "admin1_code": "SY-HA"},
        {"place_id": "fine", "lat": 36.5117, "lon": 40.7422, "admin1_code": "SY-HA"},
    ]), admin1, "data/raw/places.csv", lines=[2, 3, 4])
    assert [(p.line, p.field) for p in found] == [(2, "admin1_code"), (3, "admin1_code")]
    assert "Kirkuk is IQ-KI" in found[0].message
    assert re.search(r"lies \d+\.\d km outside SY-HA", found[1].message)


@pytest.mark.parametrize("command", ["build", "check"])
def test_build_rejects_a_point_far_from_its_governorate(project, command):
    """`check` makes the checks `build` makes: it once said "ok" to a point 500 km away."""
    path = project / "data" / "raw" / "places.csv"
    text = path.read_text(encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.startswith("hasakah-city,"))
    path.write_text(text.replace(",2,SY-HA,SYR,\"Wikipedia infobox copy at http://piglix",
                                 ",2,IQ-BG,SYR,\"Wikipedia infobox copy at http://piglix"),
                    encoding="utf-8")
    before = tree_hash(project / "data" / "processed")
    result = cli("--root", str(project), command)
    assert result.returncode == 1
    assert f"data/raw/places.csv:{line}: admin1_code: the point (36.5117, 40.7422) lies" \
        in result.stderr
    assert "Traceback" not in result.stderr
    assert tree_hash(project / "data" / "processed") == before


# -- the GeoPackage -----------------------------------------------------------------------------


def ogrinfo(*args: str) -> subprocess.CompletedProcess:
    exe = shutil.which("ogrinfo")
    if exe is None:  # a failure, not a skip: CI installs it (.ci/run)
        pytest.fail("GDAL's ogrinfo is not installed: `apt-get install gdal-bin`")
    return subprocess.run([exe, "-ro", *args], capture_output=True, text=True, timeout=120)


def test_ogrinfo_reads_the_geopackage():
    gpkg = str(ROOT / "data" / "processed" / "places.gpkg")
    listing = ogrinfo("-so", gpkg)
    assert listing.returncode == 0, listing.stderr
    assert "using driver `GPKG' successful" in listing.stdout
    assert re.findall(r"^\d+: (\w+) \((\w+)\)$", listing.stdout, re.M) == [
        ("places", "Point"), ("admin1", "Polygon")]
    assert "Warning" not in listing.stderr  # GeoPackage 1.2: old GDAL reads it cleanly
    summary = ogrinfo("-so", gpkg, "places")
    assert "Feature Count: 21" in summary.stdout
    for field in ("admin1_code", "admin1_match", "admin1_km", "geo_precision", "drawn_as"):
        assert f"{field}: " in summary.stdout
    karkh = ogrinfo(gpkg, "places", "-where", "place_id = 'karkh-prison'")
    assert "admin1_code (String) = IQ-BG" in karkh.stdout
    assert "POINT (44.22 33.2428)" in karkh.stdout
    roj = ogrinfo(gpkg, "places", "-where", "place_id = 'roj-camp'")
    assert "admin1_code (String) = SY-HA" in roj.stdout and "POINT" not in roj.stdout
    kirkuk = ogrinfo(gpkg, "admin1", "-where", "iso_3166_2 = 'IQ-TS'", "-geom=NO")
    assert "admin1_code (String) = IQ-KI" in kirkuk.stdout


def test_geopackage_bytes_follow_the_data_not_the_clock(places, admin1):
    layers = build.geo_layers(places.drop(columns="geometry").iloc[:, :10], admin1)
    first = build.geopackage_bytes(layers, "2026-02-23T00:00:00.000Z")
    time.sleep(1.1)  # GDAL would stamp the current second
    assert build.geopackage_bytes(layers, "2026-02-23T00:00:00.000Z") == first
    assert build.geopackage_bytes(layers, "2026-02-24T00:00:00.000Z") != first


# -- display shapes -----------------------------------------------------------------------------


def test_display_shapes_are_lighter_and_keep_borders_shared(admin1):
    admin0 = analysis.load_boundaries("admin0")
    shown1, shown0 = geo.display_shapes(admin1, admin0)
    assert list(shown1["admin1_code"].fillna("")) == list(admin1["admin1_code"].fillna(""))
    assert shapely.coverage_is_valid(shown1.geometry.values)
    assert shown1.is_valid.all() and shown0.is_valid.all()
    before = shapely.get_num_coordinates(admin1.geometry.values).sum()
    after = shapely.get_num_coordinates(shown1.geometry.values).sum()
    assert after < 0.5 * before
    # Within a few km of the originals everywhere (1 km tolerance, Visvalingam–Whyatt).
    worst = max(a.hausdorff_distance(b) for a, b in zip(admin1.geometry, shown1.geometry,
                                                          strict=True))
    assert worst < 0.05
    size = len(json.dumps(shown1[["geometry"]].__geo_interface__))
    assert size < 100_000


# -- the rebuild script, on a miniature of Natural Earth's layer ------------------------------


def square(x: float, y: float) -> list:
    return [[[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]]


def test_rebuild_script_keeps_syria_iraq_and_the_region(tmp_path):
    script = load_script()
    props = dict.fromkeys(script.ADMIN1_COLUMNS, "v")
    props.update(gn_id=1.0, ne_id=1, latitude=1.0, longitude=1.0)
    units = [("SYR", "Syria", "SY-HA", 40, 36), ("SYR", "Syria", "SY-RA", 39, 36),
             ("IRQ", "Iraq", "IQ-TS", 44.1234567, 35), ("PSX", "Gaza Strip", "PS-GZZ", 34, 31),
             ("PSX", "West Bank", "PS-WBK", 35, 31), ("EGY", "Egypt", "EG-C", 31, 30)]
    features = [{"type": "Feature", "properties": {**props, "adm0_a3": a3, "admin": admin,
                                                    "iso_3166_2": code, "extra": "dropped"},
                 "geometry": {"type": "Polygon", "coordinates": square(x, y)}}
                for a3, admin, code, x, y in units]
    src = tmp_path / "build.json"
    src.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    hashes = script.derive(src, tmp_path / "out")
    admin1 = json.loads((tmp_path / "out" / script.ADMIN1).read_text())
    assert [f["properties"]["iso_3166_2"] for f in admin1["features"]] == \
        ["IQ-TS", "SY-HA", "SY-RA"]
    assert list(admin1["features"][0]["properties"]) == script.ADMIN1_COLUMNS
    assert admin1["features"][0]["geometry"]["coordinates"][0][0] == [44.123457, 35.0]
    admin0 = json.loads((tmp_path / "out" / script.ADMIN0).read_text())
    names = {f["properties"]["adm0_a3"]: f["properties"]["admin"] for f in admin0["features"]}
    assert names == {"IRQ": "Iraq", "PSX": "Palestine", "SYR": "Syria"}
    syria = next(f for f in admin0["features"] if f["properties"]["adm0_a3"] == "SYR")
    assert shapely.geometry.shape(syria["geometry"]).area == pytest.approx(2.0)  # dissolved
    assert hashes[script.ADMIN1] == script.sha256(tmp_path / "out" / script.ADMIN1)
    with pytest.raises(SystemExit, match="expected b2eaff"):
        script.verify(src, script.BUILD_SHA256)
