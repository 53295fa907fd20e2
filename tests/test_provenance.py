"""Grounding of figures in their stored texts, and coverage of every number in them."""

from __future__ import annotations

from conftest import ROOT, cli
from test_validate import edit


def test_check_reports_full_coverage_of_the_seed():
    result = cli("check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1] == (
        "coverage: 11 quantities in 1 stored text(s): 7 explained by figures, "
        "4 left out with a reason, 0 unexplained")


def test_coverage_table_explains_every_mention():
    import pandas as pd

    cover = pd.read_csv(ROOT / "data" / "processed" / "coverage.csv", dtype=str,
                        keep_default_na=False)
    explained = cover[cover["status"] == "explained"]
    assert explained.groupby("figure_id")["start"].apply(list).to_dict() == {
        "seed-01-moved": ["279", "2073", "2862"],  # three mentions of 150, one figure
        "seed-02-planned": ["3090"], "seed-03-guarded": ["4682"],
        "seed-04-detained-2025": ["3549"], "seed-05-killed-2025": ["3599"]}
    left_out = cover[cover["status"] == "not in ledger"]
    assert list(left_out["phrase"]) == ["آلاف", "آلاف", "آلاف", "ثلاثة"]
    assert all(left_out["reason"].str.len() > 20)


def test_a_wrong_value_fails_naming_the_figure(project):
    edit(project / "data" / "raw" / "figures.csv", 2, value_best="9000")
    result = cli("--root", str(project), "check")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: data/raw/figures.csv:4: quote: figure seed-03-guarded: the quote states "
        "'نحو 10 آلاف' = about 10,000 (approx, low/best/high None/10000/None), but the row "
        "codes about 9,000 (approx, low/best/high None/9000/None)"]


def test_a_wrong_hedge_fails(project):
    edit(project / "data" / "raw" / "figures.csv", 3, hedge="exact", value_best="300",
         value_low="")
    result = cli("--root", str(project), "check")
    assert result.returncode == 1
    assert "figure seed-04-detained-2025: the quote states 'أكثر من 300' = more than 300" \
        in result.stderr


def test_an_unexplained_number_is_listed(project):
    path = project / "data" / "raw" / "uncoded.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(line for line in lines if "seed-three-sources" not in line)
                    + "\n", encoding="utf-8")
    result = cli("--root", str(project), "check")
    assert result.returncode == 0
    assert "1 unexplained" in result.stdout
    assert "warning: alsumaria-2026-01-22-daesh-transfer:4391-4396: 'ثلاثة' is in no figure" \
        in result.stderr


def test_uncoded_offsets_are_checked(project):
    edit(project / "data" / "raw" / "uncoded.csv", 0, start="5")
    result = cli("--root", str(project), "check")
    assert result.returncode == 1
    assert result.stderr.startswith("error: data/raw/uncoded.csv:2: start: text at 5–8 is")

