"""Hostile text in the data: escaped in every output, never executed in a reader's browser."""

from __future__ import annotations

import csv
import io

import pytest
from conftest import clean, cli, copy_project
from test_validate import edit

HOSTILE = ("<script>alert(1)</script> <img src=x onerror=alert(2)> ${alert(3)} "
           "</textarea><b>bold</b> \u202eevil\u202c `x` $x$ \\ " + "نحو 10 آلاف")


# branca renders each map element's output again as a Jinja template: `{{ 6*7 }}` was
# evaluated (42) and the unclosed `{% if x %}` stopped the map notebook.
EVIL = "Evil <script>alert(4)</script> ${alert(5)} {{ 6*7 }} {% if x %}"


def _append_claimant(root, name):
    path = root / "data" / "raw" / "claimants.csv"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([name, "media", "", "Hostile test claimant."])
    with path.open("a", encoding="utf-8") as fh:
        fh.write(buf.getvalue())


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A project whose quotes, claimants, outlets, places and notes carry script and markup."""
    root = copy_project(tmp_path_factory.mktemp("hostile") / "p")
    raw = root / "data" / "raw"
    _append_claimant(root, EVIL)
    rows = list(csv.DictReader(io.StringIO((raw / "figures.csv").read_text("utf-8"))))
    targets = [i for i, r in enumerate(rows)
               if r["measure"] in ("transferred_to_iraq", "held_by_sdf", "escaped_from_prison")
               and not r["figure_id"].startswith("seed-")][:6]
    for i in targets:
        edit(raw / "figures.csv", i, quote=HOSTILE, paraphrase=HOSTILE, notes=HOSTILE,
             claimant=EVIL)
    edit(raw / "sources.csv", 3, outlet="<img src=x onerror=alert(6)> Outlet")
    edit(raw / "places.csv", 5, name_en="<script>alert(7)</script> Camp",
         name_ar="<script>alert(8)</script> مخيم")
    edit(raw / "measures.csv", 0, label_en="<svg onload=alert(9)> measure",
         definition_ar="<svg onload=alert(10)> تعريف")  # shown by the Arabic run, the last
    for args in (["build"], ["run"], ["run", "-p", "lang", "ar"]):
        result = cli("--root", str(root), *args)
        assert result.returncode == 0, result.stderr
    return root


@pytest.mark.parametrize("name", ["01_figures", "02_map", "03_trends"])
def test_reports_show_hostile_text_as_text(hostile, page, name):
    html = (hostile / "reports" / "html" / f"{name}.html").read_text(encoding="utf-8")
    for tag in ("<script>alert(", "<img src=x", "<svg onload"):  # only ever as escaped text
        assert tag not in html, tag
    page.goto((hostile / "reports" / "html" / f"{name}.html").as_uri())
    page.wait_for_timeout(500)
    frames = [page.main_frame, *page.main_frame.child_frames]
    for frame in frames:  # open every popup the map has, to run anything hidden in them
        frame.evaluate("""() => { if (!window.L) return;
            Object.values(window).filter(v => v instanceof L.Map).forEach(m =>
              m.eachLayer(l => { if (l.getPopup && l.getPopup()) { try { l.openPopup(); }
                catch (e) {} } })); }""")
    page.wait_for_timeout(300)
    text = page.inner_text("body") + "".join(f.inner_text("body") for f in frames[1:])
    if name != "03_trends":
        assert "<script>alert(4)</script>" in text  # shown, literally
    if name == "02_map":
        assert "{{ 6*7 }} {% if x %}" in text  # in the map's popups and words, as written
    if name == "01_figures":
        assert "<svg onload=alert(10)> تعريف" in text  # the Arabic definition, as text
    clean(page)


def test_index_escapes(hostile, page):
    page.goto((hostile / "reports" / "index.html").as_uri())
    clean(page)


def test_non_http_url_is_rejected_at_the_door(project):
    edit(project / "data" / "raw" / "sources.csv", 1, url="javascript:alert(1)")
    result = cli("--root", str(project), "build")
    assert result.returncode == 1
    assert "data/raw/sources.csv:3: url: 'javascript:alert(1)' is not of the form" in \
        result.stderr
