"""The workflow data/raw/README.md documents: append rows, build, the views update."""

from __future__ import annotations

from conftest import cli

import analysis

SOURCE = ("example-2026-01-23-report,Example Outlet,https://example.org/report,en,2026-01-23,"
          "printed,,,,\"Added by the test, as an analyst would.\"\n")
FIGURE = ("example-01,example-2026-01-23-report,example-sdf-0123,SDF,held_by_sdf,,9500,,exact,,"
          "fighters,2026-01-23,,,north-east-syria,,,,,\"SDF says it holds 9,500.\",medium,,\n")


def append(path, text):
    with path.open("a", encoding="utf-8") as fh:
        fh.write(text)


def test_appended_report_reaches_the_views(project):
    raw = project / "data" / "raw"
    before = len(analysis.load_figures(root=project))
    append(raw / "sources.csv", SOURCE)
    append(raw / "figures.csv", FIGURE)
    result = cli("--root", str(project), "build")
    assert result.returncode == 0, result.stderr
    figures = analysis.load_figures(root=project)
    assert len(figures) == before + 1
    held = analysis.claims("held_by_sdf", as_of="2026-01-23", figures=figures)
    assert held["figure_id"].iloc[0] == "example-01"  # newest first
    contra = analysis.contradictions(figures=figures)
    week = contra[(contra["measure"] == "held_by_sdf") & (contra["window"] == "week 2026-W04")]
    assert {"9,500", "about 10,000"} <= set(week["value"])


def test_mistake_in_new_rows_is_reported_precisely(project):
    raw = project / "data" / "raw"
    lines = len((raw / "figures.csv").read_text(encoding="utf-8").splitlines())
    append(raw / "sources.csv", SOURCE)
    append(raw / "figures.csv", FIGURE.replace(",exact,", ",about,"))
    result = cli("--root", str(project), "build")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: data/raw/figures.csv:{lines + 1}: hedge: 'about' is not one of exact, approx, "
        "at_least, more_than, at_most, less_than, up_to, range, vague"]
