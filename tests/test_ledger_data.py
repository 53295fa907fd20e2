"""The committed ledger itself: coverage of the upstream table and the known disagreements."""

from __future__ import annotations

import csv
import io
import re
import warnings

import pandas as pd
import pytest
from conftest import ROOT, copy_project

import analysis
from analysis import schema
from analysis.ledger import StaleDataWarning

UPSTREAM = ROOT / "data" / "raw" / "upstream" / "reported_figures.csv"


def test_ledger_size_and_outlets():
    figures = analysis.load_figures()
    assert len(figures) >= 120
    assert figures["outlet"].nunique() >= 40
    assert set(figures["claimant_type"]) <= set(schema.CLAIMANT_TYPES)


def test_every_upstream_row_is_coded_once():
    with UPSTREAM.open(encoding="utf-8", newline="") as fh:
        lines = list(range(2, 2 + sum(1 for _ in csv.DictReader(fh))))
    coded = analysis.load_figures()["upstream_row"].dropna().astype(int)
    assert sorted(coded) == lines  # line 113 is the seed article, coded as seed-01-moved
    seed = analysis.load_figures().set_index("figure_id").loc["seed-01-moved"]
    assert seed["upstream_row"] == 113


def test_undated_rows_stay_undated():
    figures = analysis.load_figures()
    undated = figures[figures["published"].isna()]
    assert len(undated) >= 5
    assert analysis.load_figures(as_of="2026-12-31")["published"].notna().all()


def _values(contra: pd.DataFrame, measure: str, window: str) -> set[str]:
    rows = contra[(contra["measure"] == measure) & (contra["window"] == window)]
    return set(rows["value"])


def test_known_contradictions_are_shown():
    contra = analysis.contradictions()
    assert {"more than 5,700", "5,064", "about 3,000"} <= \
        _values(contra, "transferred_to_iraq", "2026-02-13")
    assert {"5,500", "6,000", "up to 7,000", "7,000–8,000"} <= \
        _values(contra, "planned_transfer_total", "any date")
    assert {"8,950", "about 9,000", "about 10,000"} <= \
        _values(contra, "held_by_sdf", "week 2026-W04")
    assert {"about 1,500", "about 120", "about 200"} == \
        _values(contra, "escaped_from_prison", "2026-01-19")
    # fighters at large are a different measure from detainees held
    at_large = contra[contra["measure"] == "isis_fighters_at_large"]
    assert "about 10,000" in set(at_large["value"])


def test_sensitivity_on_2026_02_14():
    """The Ministry of Justice's 5,046 of 2026-02-11, reprinted on 2026-02-13, the day it
    said 5,064, was a fourth voice in that day's median (5,055): a claimant's older word is
    set aside, and the explanation says so."""
    table = analysis.sensitivity("transferred_to_iraq", "2026-02-14")
    assert table[["policy", "value", "low", "high", "window", "statements"]].values.tolist() \
        == [["conservative", 3000.0, 3000.0, 5700.0, "2026-02-13", 3],
            ["best", 5064.0, 3000.0, 5700.0, "2026-02-13", 3],
            ["upper", 5700.0, 3000.0, 5700.0, "2026-02-13", 3]]
    # named: "1 older statement of the same claimant" read as the Foreign Minister's, named
    # just before it under the conservative policy
    assert table["explanation"].tolist() == [
        "conservative: the lowest of 3 independent statements (compared within 2026-02-13, "
        "Iraqi Foreign Minister; older statement set aside: Iraqi Ministry of Justice)",
        "best: the median of 3 independent statements (compared within 2026-02-13; older "
        "statement set aside: Iraqi Ministry of Justice)",
        "upper: the highest of 3 independent statements (compared within 2026-02-13, CENTCOM; "
        "older statement set aside: Iraqi Ministry of Justice)"]
    estimate = analysis.estimate("transferred_to_iraq", "2026-02-14")
    assert "rf-095" not in estimate.figure_ids and "rf-091" in estimate.figure_ids
    arabic = analysis.sensitivity("transferred_to_iraq", "2026-02-14", lang="ar")
    assert arabic["explanation"][1].endswith(
        "؛ جهات مصرِّحة استُبعد تصريحها الأقدم: وزارة العدل العراقية)")


def test_transfer_destinations_as_coded():
    """Where reports say detainees went: rf-047 names three prisons, rf-081 rules Sosa out;
    the figures' own destination stays the level their numbers hold for (Iraq)."""
    got = analysis.load_destinations()[["figure_id", "place_id", "role"]]
    expected = pd.read_csv(io.StringIO(
        "figure_id,place_id,role\n"
        "rf-047,karkh-prison,named\n"
        "rf-047,nasiriyah-prison,named\n"
        "rf-047,sosa-prison,named\n"
        "rf-081,sosa-prison,ruled_out\n"), dtype="string")
    pd.testing.assert_frame_equal(got, expected)
    figures = analysis.load_figures().set_index("figure_id")
    said = figures.loc[got["figure_id"]]
    assert set(said["measure"]) == {"transferred_to_iraq"}
    assert set(said["destination_place_id"]) == {"iraq"}
    for word in ("Karkh", "Nasiriyah", "Sosa", "Ghweran"):
        assert word in figures.loc["rf-047", "notes"]
    assert "Sosa" in figures.loc["rf-081", "notes"]
    places = analysis.load_places().set_index("place_id")
    assert set(places.loc[got["place_id"], "kind"]) == {"prison"}
    assert set(places.loc[got["place_id"], "country_iso3"]) == {"IRQ"}


# What an Arabic definition must carry over unchanged: dates and numbers (the numbers inside
# the ids the English names, detained_in_2025, are not numbers of the text).
KEPT = re.compile(r"\d{4}-\d{2}-\d{2}|[a-z][a-z0-9]*(?:_[a-z0-9]+)+|\d+")


def test_arabic_definitions_keep_the_english_dates_and_numbers_in_arabic_words():
    """Arabic readers see these definitions on the pages: field and measure ids
    (`destination_place_id`, `unit`, `notes`, which had slipped into 17 of them) are said in
    Arabic words; the English definitions keep them for analysts."""
    measures = analysis.load_measures()
    assert measures["definition_ar"].notna().all()
    for m, en, ar in zip(measures["measure"], measures["definition"],
                         measures["definition_ar"], strict=True):
        kept = [t for t in KEPT.findall(en) if "_" not in t]
        assert set(kept) <= set(KEPT.findall(ar)), m
        assert re.search(r"[\u0600-\u06FF]", ar), m
        assert not re.search("[A-Za-z]", ar), m


def test_loaders_warn_when_raw_data_changed_since_the_build(tmp_path):
    root = copy_project(tmp_path / "p")
    with warnings.catch_warnings():
        warnings.simplefilter("error", StaleDataWarning)
        analysis.load_figures(root=root)  # as built: no warning
    with (root / "data" / "raw" / "claimants.csv").open("a", encoding="utf-8") as fh:
        fh.write("Test claimant,media,,Added by a test.\n")
    with pytest.warns(StaleDataWarning, match=r"raw data changed since the last build "
                      r"\(data/raw/claimants\.csv\); run `analysis build`"):
        analysis.load_figures(root=root)


def test_a_hedge_keeps_its_words():
    """Every hedged figure (about, at least, up to…) says which words it codes."""
    figures = analysis.load_figures()
    hedged = figures[~figures["hedge"].isin(["exact", "vague"])]
    assert hedged[hedged["qualifier_words"].isna()]["figure_id"].tolist() == []


def test_a_table_is_parsed_once_for_its_bytes_and_each_caller_gets_its_own(tmp_path,
                                                                           monkeypatch):
    """Each library function reads the ledger (a figures page did five times); it is parsed
    once for the same bytes, and a caller that changes its frame changes only its own."""
    import json

    from analysis import ledger

    root = copy_project(tmp_path / "p")
    parsed = []
    read_table = ledger.read_table
    monkeypatch.setattr(ledger, "read_table", lambda *a: parsed.append(a[0].name) or
                        read_table(*a))
    monkeypatch.setattr(ledger, "_READ", {}, raising=False)
    first = analysis.load_figures(root=root)
    first.loc[0, "claimant"] = "changed by a caller"
    again = analysis.load_figures(as_of="2026-02-28", root=root)
    assert parsed == ["figures"]
    assert again.loc[0, "claimant"] != "changed by a caller"

    # Other bytes (a new build: here the last two rows swapped) are parsed again.
    path = root / "data" / "processed" / "figures.csv"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-2] + [lines[-1], lines[-2]]))
    manifest = root / "data" / "processed" / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["outputs"]["figures.csv"] = ledger.sha256_file(path)
    manifest.write_text(json.dumps(data), encoding="utf-8")
    swapped = analysis.load_figures(root=root)
    assert parsed == ["figures", "figures"]
    assert list(swapped["figure_id"].iloc[-2:]) == list(first["figure_id"].iloc[-2:])[::-1]
