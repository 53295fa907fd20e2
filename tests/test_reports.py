"""Notebooks executed by real papermill, rendered by real nbconvert, linked from an index."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, cli, copy_project, readable, report_pages

# Resources a page would fetch (scripts, styles, images, tiles); <a href> links are fine.
EXTERNAL = re.compile(r"""\bsrc\s*=\s*["']?(?:https?:)?//"""
                      r"""|<link[^>]+href\s*=\s*["']?(?:https?:)?//"""
                      r"""|url\(\s*["']?(?:https?:)?//|L\.tileLayer\(""")


def read(root: Path, name: str) -> str:
    return (root / "reports" / "html" / f"{name}.html").read_text(encoding="utf-8")


def test_index_links_three_reports_with_version_and_as_of(rendered):
    index = (rendered / "reports" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="(html/[^"]+)"', index)
    assert links == ["html/01_figures.html", "html/02_map.html", "html/03_trends.html"]
    for link in links:
        assert (rendered / "reports" / link).is_file()
    version = json.loads((rendered / "data/processed/manifest.json").read_text())["data_version"]
    assert f"Data version <code>{version}</code>" in index
    assert "as_of 2026-02-28 (only reports" in index  # the notebooks' default, stated
    assert "FAILED" not in index


def test_figures_report_shows_headline_figures_with_hedges(rendered):
    page = read(rendered, "01_figures")
    for text in ("150", "up to 7,000", "about 10,000", "more than 300", "more than 20",
                 "ونُقل 150 معتقلا بالفعل", "قد يصل إلى نحو 7 آلاف معتقل"):
        assert text in page, text
    assert 'dir="rtl" lang="ar"' in page
    assert "def " not in page and "import analysis" not in page  # code is hidden


def test_map_and_trend_reports_carry_the_figures(rendered):
    map_page = read(rendered, "02_map")
    assert "leaflet" in map_page.lower()
    # The folium map is an iframe srcdoc: its popups hold the figures and the Arabic quote.
    srcdoc = html.unescape(map_page)
    for text in ("150", "up to 7,000", "dir='rtl' lang='ar'>«ونُقل 150"):
        assert text in srcdoc, text
    trends = read(rendered, "03_trends")
    assert "data:image/png;base64," in trends
    assert "about 10,000" in trends  # the undated claim is listed, not plotted


def test_reports_are_offline(rendered):
    for name in ("01_figures", "02_map", "03_trends"):
        assert EXTERNAL.findall(read(rendered, name)) == [], name


def test_executed_notebooks_keep_provenance(rendered):
    nb = nbformat.read(rendered / "reports" / "executed" / "02_map.ipynb", as_version=4)
    meta = nb.metadata["analysis"]
    assert meta["status"] == "done"
    assert meta["notebook"] == "02_map.ipynb"
    assert re.fullmatch(r"[0-9a-f]{12}", meta["data_version"])
    assert "papermill" not in nb.metadata


def test_forced_second_run_gives_identical_bytes(rendered, tmp_path):
    before = report_pages(rendered)
    result = cli("--root", str(rendered), "run", "--force")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("[done   ]") == 3
    assert report_pages(rendered) == before


def test_as_of_parameter_filters_reports(tmp_path):
    root = copy_project(tmp_path / "p")
    result = cli("--root", str(root), "run", "-p", "as_of", "2024-12-31")
    assert result.returncode == 0, result.stderr
    page = read(root, "01_figures")
    assert "reports published on or before 2024-12-31 · 0 figures" in readable(page)
    assert "ونُقل 150" not in page


def test_arabic_parameter(tmp_path):
    root = copy_project(tmp_path / "p")
    result = cli("--root", str(root), "run", "01_figures", "-p", "lang", "ar")
    assert result.returncode == 0, result.stderr
    page = read(root, "01_figures")
    assert "حتى 7,000" in page and "نحو 10,000" in page
    assert ('<table class="ledger" aria-label="الأرقام الرئيسية في المقال الأصلي" dir="rtl" '
            'lang="ar">') in page


def test_unknown_parameter_lists_the_notebooks_parameters(tmp_path):
    root = copy_project(tmp_path / "p")
    result = cli("--root", str(root), "run", "-p", "asof", "2026-01-01")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "unknown parameter(s) asof" in result.stderr
    assert "as_of (default" in result.stderr and "lang (default" in result.stderr
    assert "taken by" not in result.stderr  # no notebook takes it
    assert not (root / "reports").exists()


def test_a_parameter_only_some_notebooks_take_names_them(tmp_path):
    """`-p tiles …` over every notebook was refused by the first without saying which take it."""
    root = copy_project(tmp_path / "p")
    result = cli("--root", str(root), "run", "-p", "tiles", "CartoDB.Positron")
    assert result.returncode == 1
    assert result.stderr.strip().endswith(
        "; it is taken by 02_map: `analysis run 02_map -p …` runs that notebook alone")
    assert not (root / "reports").exists()
    alone = cli("--root", str(root), "run", "-n", "02_map", "-p", "tiles", "CartoDB.Positron")
    assert alone.returncode == 0, alone.stderr


def test_missing_notebook_is_an_error(tmp_path):
    root = copy_project(tmp_path / "p")
    result = cli("--root", str(root), "run", "04_nothing")
    assert result.returncode == 1
    assert "error: 04_nothing: no such notebook (available: 01_figures, 02_map, 03_trends)" \
        in result.stderr


def test_failing_notebook_does_not_stop_the_others(tmp_path):
    root = copy_project(tmp_path / "p")
    nb = nbformat.read(root / "notebooks" / "01_figures.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("raise RuntimeError('deliberate failure')"))
    nbformat.write(nb, root / "notebooks" / "00_broken.ipynb")
    result = cli("--root", str(root), "run")
    assert result.returncode == 1
    assert "[FAILED ] 00_broken" in result.stdout
    assert "RuntimeError: deliberate failure" in result.stdout
    assert "Traceback" not in result.stderr
    index = (root / "reports" / "index.html").read_text(encoding="utf-8")
    assert "00_broken, FAILED" in index
    assert index.count(", ok)") == 3
    executed = nbformat.read(root / "reports" / "executed" / "00_broken.ipynb", as_version=4)
    assert executed.metadata["analysis"]["status"] == "failed"
    page = read(root, "00_broken")
    assert "This report failed and is incomplete." in page
    assert "deliberate failure" in page  # the traceback is kept
    # a failed notebook is never cached: the next run tries it again, the others are reused
    # and says why: it said "no previous run", as if it had never been tried
    again = cli("--root", str(root), "run")
    assert ("[queued ] 00_broken (the last run failed: RuntimeError: deliberate failure)"
            in again.stdout)
    assert again.stdout.count("[cached ]") == 3
    # a run of another notebook keeps the failure on the index, as failed (it vanished)
    other = cli("--root", str(root), "run", "01_figures")
    assert other.returncode == 0, other.stdout
    index = (root / "reports" / "index.html").read_text(encoding="utf-8")
    assert "00_broken, FAILED — RuntimeError: deliberate failure" in index
    assert index.count(", ok)") == 3


def test_plain_papermill_works(tmp_path):
    """`papermill notebooks/02_map.ipynb out.ipynb -p as_of 2026-02-01` as a user types it."""
    exe = Path(sys.executable).with_name("papermill")
    out = tmp_path / "out.ipynb"
    result = subprocess.run([str(exe), "notebooks/02_map.ipynb", str(out), "-p", "as_of",
                             "2026-02-01"], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    nb = nbformat.read(out, as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert 'as_of = "2026-02-01"' in injected[0].source
    assert any("leaflet" in json.dumps(c.get("outputs", [])).lower() for c in nb.cells)


def test_notebooks_are_committed_without_outputs():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), path.name
        tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, path.name
        assert "as_of" in tagged[0].source and "lang" in tagged[0].source



@pytest.mark.parametrize("name", ["01_figures", "02_map", "03_trends"])
def test_make_strip_returns_a_notebook_run_in_jupyter_to_its_committed_bytes(tmp_path, name):
    """What an analyst does before committing: run the notebook as JupyterLab does (nbclient,
    no papermill), save it, `make strip`; the result is the committed notebook, byte for byte."""
    import nbclient

    committed = ROOT / "notebooks" / f"{name}.ipynb"
    nb = nbformat.read(committed, as_version=4)
    nbclient.NotebookClient(nb, kernel_name="python3",
                            resources={"metadata": {"path": str(committed.parent)}}).execute()
    assert any(c.get("outputs") for c in nb.cells)
    saved = tmp_path / committed.name
    nbformat.write(nb, saved)
    assert saved.read_bytes() != committed.read_bytes()
    result = subprocess.run(["make", "-s", "-C", str(ROOT), "strip", f"NOTEBOOKS={saved}"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert saved.read_bytes() == committed.read_bytes()


def test_index_titles_itself_in_arabic_when_it_lists_arabic_pages():
    from analysis.reports import Result, index_html

    english = Result("01_figures", "done", 1.0, title="The ledger",
                     parameters={"as_of": "2026-02-28", "lang": "en"})
    arabic = Result("01_figures--lang-ar", "done", 1.0, title="سجل الأرقام المعلنة",
                    parameters={"as_of": "2026-02-28", "lang": "ar"})
    subtitle = ('<p class="subtitle" dir="rtl" lang="ar">الأرقام المعلنة عن نقل معتقلي تنظيم '
                "داعش من شمال شرقي سوريا إلى العراق</p>")
    assert subtitle not in index_html([english], "v1")
    assert subtitle in index_html([english, arabic], "v1")


def test_a_page_gives_each_image_its_alt_text_and_each_output_a_tab_stop():
    """nbconvert's exporter parsed every page with BeautifulSoup for these (most of the time
    a page took); the page now gets them from the text, and a paragraph of narrative is no
    longer a tab stop (only an output, which may scroll sideways, is)."""
    from analysis import reports

    v4 = nbformat.v4
    png = "iVBORw0KGgo="
    nb = v4.new_notebook(cells=[
        v4.new_markdown_cell("Some narrative"),
        v4.new_code_cell("", outputs=[
            # images of its own in an HTML output, before the charts: they pair with no
            # chart's alt, and get nbconvert's sentence when they have no alt of their own
            v4.new_output("display_data", {"text/html": '<p>a table <img src="a.png"> '
                                                        '<img data-alt="x" src="b.png"> '
                                                        '<img alt="its own" src="c.png"></p>'}),
            v4.new_output("display_data", {"image/png": png},
                          metadata={"image/png": {"alt": 'A "chart" & its key'}}),
            v4.new_output("display_data", {"image/png": png})])])
    page = reports.render_html(nb)
    no_alt = "No description has been provided for this image"
    assert re.findall(r"<img ([^>]*)>", page) == [
        f'alt="{no_alt}" src="a.png"', f'alt="{no_alt}" data-alt="x" src="b.png"',
        'alt="its own" src="c.png"'] + [
        f'alt="{alt}" src="data:image/png;base64,{png}"\nclass="\n"\n'
        for alt in ("A &quot;chart&quot; &amp; its key", no_alt)]
    outputs = re.findall(r'<div class="[^"]*jp-OutputArea-output[^"]*"[^>]*>', page)
    assert len(outputs) == 3 and all(' tabindex="0"' in o for o in outputs)
    assert "tabindex" not in re.search(r'<div class="jp-Cell-inputWrapper"[^>]*>', page)[0]
    assert "Some narrative" in page
