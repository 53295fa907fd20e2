"""Bad raw input: a clear message per problem (file:line: field: what), exit 1, nothing written."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from conftest import ROOT, cli, tree_hash

from analysis import validate
from analysis.errors import ValidationError


def edit(path: Path, row: int, **values: str) -> None:
    """Change fields of one data row (0-based) of a raw CSV, keeping everything else."""
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows[row].update(values)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def run_build(project: Path, command: str = "build") -> tuple[int, list[str]]:
    """Run a command on broken data: it must say what is wrong and change nothing."""
    before = tree_hash(project / "data" / "processed"), tree_hash(project / "reports")
    result = cli("--root", str(project), command)
    assert "Traceback" not in result.stderr
    after = tree_hash(project / "data" / "processed"), tree_hash(project / "reports")
    assert after == before, "processed data or reports changed"
    return result.returncode, result.stderr.splitlines()


CASES = {
    "dangling source": ("figures.csv", 0, {"source_id": "no-such-source"},
                        "error: data/raw/figures.csv:2: source_id: 'no-such-source' is not a "
                        "source_id in data/raw/sources.csv"),
    "low above best": ("figures.csv", 3, {"value_best": "200", "hedge": "range",
                                          "value_high": "400"},
                       "error: data/raw/figures.csv:5: value_low: value_low=300 is greater "
                       "than value_best=200"),
    "bad date": ("figures.csv", 0, {"as_of": "2026-02-30"},
                 "error: data/raw/figures.csv:2: as_of: '2026-02-30' is not a valid date "
                 "(YYYY-MM-DD)"),
    "unknown hedge": ("figures.csv", 1, {"hedge": "roughly"},
                      "error: data/raw/figures.csv:3: hedge: 'roughly' is not one of exact, "
                      "approx, at_least, more_than, at_most, less_than, up_to, range, "
                      "vague"),
    "unknown unit": ("figures.csv", 1, {"unit": "households"},
                     "error: data/raw/figures.csv:3: unit: 'households' is not one of "
                     "detainees, fighters, members, people, families, facilities"),
    "not an integer": ("figures.csv", 2, {"value_best": "10k"},
                       "error: data/raw/figures.csv:4: value_best: '10k' is not an integer"),
    "integer too large": ("figures.csv", 2, {"value_best": "99999999999999999999"},
                          "error: data/raw/figures.csv:4: value_best: '99999999999999999999' is "
                          "too large (beyond a 64-bit integer)"),
    "duplicate key": ("figures.csv", 1, {"figure_id": "seed-01-moved"},
                      "error: data/raw/figures.csv:3: figure_id: duplicate value "
                      "'seed-01-moved'"),
    "hedge without its bound": ("figures.csv", 1, {"value_high": "", "value_best": "7000"},
                                "error: data/raw/figures.csv:3: value_high: hedge 'up_to' needs "
                                "value_high"),
    "offsets off the quote": ("figures.csv", 0, {"quote_start": "270", "quote_end": "293"},
                              "error: data/raw/figures.csv:2: quote_start: figure seed-01-moved: "
                              "text at 270–293 is"),
    "offsets outside text": ("figures.csv", 0, {"quote_start": "9000", "quote_end": "9023"},
                             "error: data/raw/figures.csv:2: quote_end: figure seed-01-moved: "
                             "offsets 9000–9023 are outside the stored text (length 4709)"),
    "required empty": ("figures.csv", 4, {"claimant": ""},
                       "error: data/raw/figures.csv:6: claimant: is required but empty"),
    "dangling place": ("figures.csv", 2, {"place_id": "atlantis"},
                       "error: data/raw/figures.csv:4: place_id: 'atlantis' is not a place_id "
                       "in data/raw/places.csv"),
    "text hash mismatch": ("sources.csv", 0, {"text_sha256": "0" * 64},
                           "error: data/raw/sources.csv:2: text_sha256: does not match"),
    "latitude out of range": ("places.csv", 4, {"lat": "136.5"},
                              "error: data/raw/places.csv:6: lat: '136.5' is outside -90..90"),
    "best above high": ("figures.csv", 1, {"value_best": "8000", "hedge": "range",
                                            "value_low": "5000"},
                        "error: data/raw/figures.csv:3: value_best: value_best=8000 is greater "
                        "than value_high=7000"),
    "hedge contradicts bounds": ("figures.csv", 3, {"value_low": "", "value_high": "300"},
                                 "error: data/raw/figures.csv:5: value_low: hedge 'more_than' "
                                 "needs value_low"),
    "negative value": ("figures.csv", 0, {"value_best": "-150"},
                       "error: data/raw/figures.csv:2: value_best: '-150' is outside 0..inf"),
    "date not ISO": ("figures.csv", 0, {"as_of": "21/01/2026"},
                     "error: data/raw/figures.csv:2: as_of: '21/01/2026' is not a valid date "
                     "(YYYY-MM-DD)"),
    "as_of after publication": ("figures.csv", 0, {"as_of": "2026-01-23"},
                                "error: data/raw/figures.csv:2: as_of: 2026-01-23 is after the "
                                "source's publication date 2026-01-22"),
    "dangling measure": ("figures.csv", 1, {"measure": "planned_total"},
                         "error: data/raw/figures.csv:3: measure: 'planned_total' is not a "
                         "measure in data/raw/measures.csv"),
    "dangling claimant": ("figures.csv", 2, {"claimant": "SDF General Command"},
                          "error: data/raw/figures.csv:4: claimant: 'SDF General Command' is "
                          "not a claimant in data/raw/claimants.csv"),
    "quote missing for stored text": ("figures.csv", 4, {"quote": "", "quote_start": "",
                                                         "quote_end": ""},
                                      "error: data/raw/figures.csv:6: quote: is required"),
    "lat without lon": ("places.csv", 4, {"lon": ""},
                        "error: data/raw/places.csv:6: lon: lat and lon must both be given or "
                        "both be empty"),
    "precision out of range": ("places.csv", 4, {"geo_precision": "9"},
                               "error: data/raw/places.csv:6: geo_precision: '9' is outside 1..7"),
    "unknown country": ("places.csv", 0, {"country_iso3": "XYZ"},
                        "error: data/raw/places.csv:2: country_iso3: 'XYZ' is not one of"),
    "duplicate place": ("places.csv", 1, {"place_id": "syria"},
                        "error: data/raw/places.csv:3: place_id: duplicate value 'syria'"),
    "period reversed": ("figures.csv", 3, {"period_start": "2025-12-31",
                                           "period_end": "2025-01-01"},
                        "error: data/raw/figures.csv:5: period_start: period_start is after "
                        "period_end"),
    "half a period": ("figures.csv", 3, {"period_end": ""},
                      "error: data/raw/figures.csv:5: period_end: a period needs both"),
    "huge field": ("figures.csv", 0, {"notes": "x" * 100_000},
                   "error: data/raw/figures.csv:2: notes: 'xxxxxxxx"),
    "figure without words": ("figures.csv", 5, {"paraphrase": ""},
                             "error: data/raw/figures.csv:7: paraphrase: no words: give the "
                             "quote or, when the text is not stored, a paraphrase"),
    "no value at all": ("figures.csv", 2, {"value_best": "", "hedge": "vague"},
                        "error: data/raw/figures.csv:4: value_best: no value"),
    "unknown claimant type": ("claimants.csv", 0, {"claimant_type": "army"},
                              "error: data/raw/claimants.csv:2: claimant_type: 'army' is not "
                              "one of"),
    "empty claimant description": ("claimants.csv", 1, {"description": ""},
                                   "error: data/raw/claimants.csv:3: description: is required"),
    "duplicate source": ("sources.csv", 2, {"source_id": "alsumaria-2026-01-22-daesh-transfer"},
                         "error: data/raw/sources.csv:4: source_id: duplicate value"),
    "unknown language": ("sources.csv", 0, {"language": "arabic"},
                         "error: data/raw/sources.csv:2: language: 'arabic' is not one of"),
    "stored text missing": ("sources.csv", 0, {"text_path": "sources/nowhere.ar.txt"},
                            "error: data/raw/sources.csv:2: text_path: stored text "
                            "data/raw/sources/nowhere.ar.txt is missing"),
    "text path escapes data/raw": ("sources.csv", 0, {"text_path": "../../etc/passwd"},
                                   "error: data/raw/sources.csv:2: text_path: must be a relative "
                                   "path inside data/raw/"),
    "uncoded dangling source": ("uncoded.csv", 0, {"source_id": "gone"},
                                "error: data/raw/uncoded.csv:2: source_id: 'gone' is not a "
                                "source_id in data/raw/sources.csv"),
    "bad measure kind": ("measures.csv", 0, {"kind": "total"},
                         "error: data/raw/measures.csv:2: kind: 'total' is not one of stock, "
                         "flow, cumulative, plan"),
    "empty Arabic definition": ("measures.csv", 2, {"definition_ar": ""},
                                "error: data/raw/measures.csv:4: definition_ar: is required but "
                                "empty"),
    "Arabic definition in English": ("measures.csv", 2, {"definition_ar": "Held at a date."},
                                     "error: data/raw/measures.csv:4: definition_ar: 'Held at a "
                                     "date.' is not Arabic text (this field is for Arabic "
                                     "pages)"),
    "place's Arabic name in Latin letters": ("places.csv", 1, {"name_ar": "Hasakah"},
                                             "error: data/raw/places.csv:3: name_ar: 'Hasakah' "
                                             "is not Arabic text"),
    "label of spaces": ("measures.csv", 0, {"label_en": "   "},
                        "error: data/raw/measures.csv:2: label_en: '   ' is only spaces"),
    "Arabic label of spaces": ("measures.csv", 0, {"label_ar": "  "},
                               "error: data/raw/measures.csv:2: label_ar: '  ' is only spaces"),
    "destination dangling figure": ("destinations.csv", 0, {"figure_id": "rf-999"},
                                    "error: data/raw/destinations.csv:2: figure_id: 'rf-999' is "
                                    "not a figure_id in data/raw/figures.csv"),
    "destination dangling place": ("destinations.csv", 0, {"place_id": "atlantis"},
                                   "error: data/raw/destinations.csv:2: place_id: 'atlantis' is "
                                   "not a place_id in data/raw/places.csv"),
    "unknown destination role": ("destinations.csv", 3, {"role": "visited"},
                                 "error: data/raw/destinations.csv:5: role: 'visited' is not one "
                                 "of named, ruled_out"),
    "duplicate destination": ("destinations.csv", 1, {"place_id": "karkh-prison"},
                              "error: data/raw/destinations.csv:3: place_id: duplicate "
                              "(figure_id, place_id) ('rf-047', 'karkh-prison'), first on line 2"),
    "destination without words": ("destinations.csv", 0, {"paraphrase": ""},
                                  "error: data/raw/destinations.csv:2: paraphrase: is required "
                                  "but empty"),
    "destination quote missing for stored text": (
        "destinations.csv", 0, {"figure_id": "seed-01-moved"},
        "error: data/raw/destinations.csv:2: quote: is required: the text of figure "
        "seed-01-moved's source is stored, so the row must quote it"),
    "destination offsets off the quote": (
        "destinations.csv", 0, {"figure_id": "seed-01-moved", "quote": "إلى الأراضي العراقية",
                                "quote_start": "300", "quote_end": "318"},
        "error: data/raw/destinations.csv:2: quote_start: figure seed-01-moved, place "
        "karkh-prison: text at 300–318 is ' الأراضي العراقية،', not the quote; the quote is at "
        "297–317"),
    "destination offsets without stored text": (
        "destinations.csv", 0, {"quote": "x", "quote_start": "10", "quote_end": "11"},
        "error: data/raw/destinations.csv:2: quote_start: offsets given but the source has no "
        "stored text"),
    "destination half a quote offset": ("destinations.csv", 0, {"quote": "x", "quote_end": "9"},
                                        "error: data/raw/destinations.csv:2: quote_start: quote "
                                        "offsets come in pairs: set both or neither"),
}


# A few cases go through `analysis check`, the other entry point that reads data/raw.
CHECKED_BY_CHECK = {"dangling claimant", "offsets outside text", "unknown language",
                    "duplicate destination"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_row_is_reported_and_nothing_written(project, case):
    filename, row, values, expected = CASES[case]
    edit(project / "data" / "raw" / filename, row, **values)
    command = "check" if case in CHECKED_BY_CHECK else "build"
    code, lines = run_build(project, command)
    assert code == 1
    assert any(line.startswith(expected) for line in lines), lines
    if filename in ("destinations.csv", "measures.csv"):  # the whole message, nothing else
        assert lines == [expected]


@pytest.mark.parametrize("damage", ["sha256", "missing"])
def test_unreadable_stored_text_is_one_problem_not_one_per_figure(project, damage):
    """The five seed figures quote the stored article: when it cannot be read, that is said
    once, not again as five quotes without a text."""
    if damage == "sha256":
        edit(project / "data" / "raw" / "sources.csv", 0, text_sha256="0" * 64)
    else:
        (project / "data/raw/sources/alsumaria-2026-01-22-daesh-transfer.ar.txt").unlink()
    code, lines = run_build(project, "check")
    assert code == 1 and len(lines) == 1, lines
    assert lines[0].startswith("error: data/raw/sources.csv:2: text_")


def test_several_problems_one_line_each(project):
    """The issue's example: a dangling source_id, low > best and a bad date, all reported."""
    figures = project / "data" / "raw" / "figures.csv"
    edit(figures, 0, source_id="nowhere")
    edit(figures, 3, value_best="100", hedge="range", value_high="400")
    edit(figures, 4, period_end="2025-13-01")
    code, lines = run_build(project)
    assert code == 1
    assert lines == [
        "error: data/raw/figures.csv:2: source_id: 'nowhere' is not a source_id in "
        "data/raw/sources.csv",
        "error: data/raw/figures.csv:5: value_low: value_low=300 is greater than "
        "value_best=100",
        "error: data/raw/figures.csv:6: period_end: '2025-13-01' is not a valid date "
        "(YYYY-MM-DD)",
    ]


MEASURES_HEADER = b"measure,label_en,label_ar,kind,definition,definition_ar\n"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\xef\xbb\xbf" + MEASURES_HEADER,
         "data/raw/measures.csv:1: starts with a byte-order mark"),
        (MEASURES_HEADER + b"x,\"unbalanced,a,b,stock,d,e\n",
         "data/raw/measures.csv:"),
        (MEASURES_HEADER.replace(b",", b";"),
         "data/raw/measures.csv:1: missing column(s) measure, label_en"),
        (MEASURES_HEADER + b"\xff\xfe,a,b,stock,d,e\n",
         "data/raw/measures.csv:2: not valid UTF-8"),
        (MEASURES_HEADER + b"x,a,b,stock,d,e,\n",
         "data/raw/measures.csv:2: has 7 fields, expected 6"),
        (b"", "data/raw/measures.csv:1: file is empty"),
    ],
    ids=["bom", "unbalanced-quote", "wrong-delimiter", "not-utf8", "trailing-comma", "empty"],
)
def test_malformed_csv(project, content, expected):
    (project / "data" / "raw" / "measures.csv").write_bytes(content)
    code, lines = run_build(project)
    assert code == 1
    assert any(line.startswith("error: " + expected) for line in lines), lines


def test_missing_required_column(project):
    path = project / "data" / "raw" / "claimants.csv"
    rows = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(",".join(line.split(",")[:1] + line.split(",")[2:3])
                              for line in rows[:1]) + "\n", encoding="utf-8")
    code, lines = run_build(project)
    assert code == 1
    assert "error: data/raw/claimants.csv:1: missing column(s) claimant_type, description " \
        "(expected: claimant,claimant_type,name_ar,description)" in lines


def test_extra_unknown_column(project):
    path = project / "data" / "raw" / "measures.csv"
    lines_ = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines_[0] + ",comment"] + [x + "," for x in lines_[1:]]) + "\n",
                    encoding="utf-8")
    code, lines = run_build(project)
    assert code == 1
    assert "error: data/raw/measures.csv:1: unknown column(s) 'comment' (expected: " \
        "measure,label_en,label_ar,kind,definition,definition_ar)" in lines


def test_measures_without_arabic_definitions(project):
    """A measures.csv from before definition_ar (English definitions only) is refused."""
    path = project / "data" / "raw" / "measures.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    assert rows[0][-1] == "definition_ar"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(row[:-1] for row in rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    code, lines = run_build(project)
    assert code == 1
    assert lines == ["error: data/raw/measures.csv:1: missing column(s) definition_ar "
                     "(expected: measure,label_en,label_ar,kind,definition,definition_ar)"]


def test_arabic_definition_is_checked_like_any_required_field(tmp_path):
    """Empty or missing on any row: one problem per row, naming its line and the field."""
    from analysis import schema

    path = tmp_path / "measures.csv"
    path.write_text("measure,label_en,label_ar,kind,definition,definition_ar\n"
                    "a,A,أ,stock,Held at a date.,المحتجزون في تاريخ معيّن.\n"
                    "b,B,ب,flow,Moved in one batch.,\n"
                    'c,C,ج,plan,Planned.,""\n', encoding="utf-8")
    raw, problems = validate.read_csv(schema.MEASURES, path, "measures.csv")
    assert problems == []
    problems, bad = validate.check_columns(raw)
    assert bad == {(1, "definition_ar"), (2, "definition_ar")}
    assert [str(p) for p in problems] == [
        "measures.csv:3: definition_ar: is required but empty",
        "measures.csv:4: definition_ar: is required but empty"]


def test_arabic_fields_need_arabic_letters_once_per_cell(tmp_path):
    """Latin or digits only: not Arabic; spaces only: said once (not also "not Arabic");
    Arabic with a code name or a date in it: fine."""
    from analysis import schema

    path = tmp_path / "measures.csv"
    path.write_text("measure,label_en,label_ar,kind,definition,definition_ar\n"
                    "a,A,أ,stock,Held at a date.,المحتجزون في as_of (2026-01-21).\n"
                    "b,B,2026,flow,Moved.,Moved.\n"
                    'c,C,"  ",plan,Planned.,مخطط\n', encoding="utf-8")
    raw, problems = validate.read_csv(schema.MEASURES, path, "measures.csv")
    assert problems == []
    problems, bad = validate.check_columns(raw)
    assert sorted(str(p) for p in problems) == [
        "measures.csv:3: definition_ar: 'Moved.' is not Arabic text (this field is for Arabic "
        "pages)",
        "measures.csv:3: label_ar: '2026' is not Arabic text (this field is for Arabic pages)",
        "measures.csv:4: label_ar: '  ' is only spaces"]
    assert bad == {(1, "definition_ar"), (1, "label_ar"), (2, "label_ar")}


def test_nul_in_a_file(project):
    path = project / "data" / "raw" / "claimants.csv"
    path.write_bytes(path.read_bytes().replace(b"Syrian", b"Syr\x00ian", 1))
    code, lines = run_build(project)
    assert code == 1
    assert lines == ["error: data/raw/claimants.csv:3: contains a NUL character"]


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_boundaries_file_missing_or_corrupt(project, damage):
    path = project / "data" / "raw" / "boundaries" / "ne10m_admin1_syr_irq.geojson"
    if damage == "missing":
        path.unlink()
    else:
        path.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    code, lines = run_build(project)
    assert code == 1
    assert len(lines) == 1
    assert lines[0].startswith("error: data/raw/boundaries/ne10m_admin1_syr_irq.geojson: ")


def test_missing_file(project):
    (project / "data" / "raw" / "places.csv").unlink()
    code, lines = run_build(project)
    assert code == 1
    assert "error: data/raw/places.csv: file is missing" in lines


def test_crlf_line_endings_are_read(project):
    """Files saved by spreadsheet programs (CRLF) are valid input."""
    path = project / "data" / "raw" / "measures.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    result = cli("--root", str(project), "check")
    assert result.returncode == 0, result.stderr


def test_line_numbers_count_physical_lines(tmp_path):
    """A quoted field spanning two lines shifts the following rows' line numbers."""
    from analysis import schema

    path = tmp_path / "measures.csv"
    path.write_text("measure,label_en,label_ar,kind,definition,definition_ar\n"
                    'a,A,أ,stock,"two\nlines",د\n'
                    "b,B,ب,sideways,d,د\n", encoding="utf-8")
    raw, problems = validate.read_csv(schema.MEASURES, path, "measures.csv")
    assert problems == []
    problems, bad = validate.check_columns(raw)
    assert bad == {(1, "kind")}
    assert [str(p) for p in problems] == [
        "measures.csv:4: kind: 'sideways' is not one of stock, flow, cumulative, plan"]


def test_load_raw_raises_validation_error(project):
    edit(project / "data" / "raw" / "figures.csv", 0, measure="nothing")
    with pytest.raises(ValidationError) as info:
        validate.load_raw(project / "data" / "raw")
    assert [str(p) for p in info.value.problems] == [
        "data/raw/figures.csv:2: measure: 'nothing' is not a measure in data/raw/measures.csv"]


DESTINATIONS_HEADER = "figure_id,place_id,role,quote,quote_start,quote_end,paraphrase,notes\n"


def test_key_of_two_fields_is_unique_as_a_pair(tmp_path):
    """The same figure may name several places, and a place be named by several figures;
    the same pair twice is one fact coded twice."""
    from analysis import schema

    path = tmp_path / "destinations.csv"
    path.write_text(DESTINATIONS_HEADER
                    + "f-1,karkh-prison,named,,,,p,\n"
                    + "f-1,nasiriyah-prison,named,,,,p,\n"
                    + "f-2,karkh-prison,named,,,,p,\n"
                    + "f-1,karkh-prison,ruled_out,,,,p,\n", encoding="utf-8")
    raw, problems = validate.read_csv(schema.DESTINATIONS, path, "destinations.csv")
    assert problems == []
    problems, bad = validate.check_columns(raw)
    assert problems == []
    assert [str(p) for p in validate.check_keys(raw, validate.typed(raw, bad), bad)] == [
        "destinations.csv:5: place_id: duplicate (figure_id, place_id) ('f-1', 'karkh-prison'), "
        "first on line 2"]


def test_destination_quoting_the_stored_text_is_accepted(project):
    """A destination with a stored text is grounded like a figure: quote at its offsets."""
    path = project / "data" / "raw" / "destinations.csv"
    with path.open("a", encoding="utf-8") as fh:
        fh.write("seed-01-moved,iraq,named,إلى الأراضي العراقية,297,317,"
                 "Moved to Iraqi territory.,\n")
    result = cli("--root", str(project), "check")
    assert result.returncode == 0, result.stderr


def test_a_reader_who_stops_reading_gets_no_error():
    """`analysis check | head -1` printed "error: : Broken pipe" when head had read its line."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "analysis", "check"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before the first line
    _, err = proc.communicate(timeout=600)
    assert b"error" not in err and b"Traceback" not in err, err
    assert proc.returncode == 1
