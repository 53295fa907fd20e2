"""The runner: cache keys and reasons, parameter sets, dying and hanging kernels, Dask."""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys

import nbformat
import pytest
from conftest import cli, copy_project, report_pages


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """A scratch project run once, to test what a second run reuses."""
    root = copy_project(tmp_path_factory.mktemp("runner") / "p")
    result = cli("--root", str(root), "run")
    assert result.returncode == 0, result.stderr
    return root


def reasons(stdout: str) -> dict[str, str]:
    out = {}
    for line in stdout.splitlines():
        m = re.match(r"\[explain\] (\S+): key [0-9a-f]{16} (.*)$", line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def test_no_change_run_is_all_cached(ran):
    result = cli("--root", str(ran), "run", "--explain")
    assert result.returncode == 0, result.stderr
    assert reasons(result.stdout) == {n: "cached (nothing changed)"
                                      for n in ("01_figures", "02_map", "03_trends")}
    assert "0 ran, 3 cached" in result.stdout


def test_dry_run_says_what_would_run_and_runs_nothing(ran):
    before = report_pages(ran)
    cache_before = sorted((ran / "reports" / ".cache").iterdir())
    result = cli("--root", str(ran), "run", "--dry-run", "-p", "lang", "ar", "01_figures")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "[explain] 01_figures: key " + result.stdout.split("key ")[1][:16]
        + " would run (changed: parameters)",
        "dry run: 1 would run, 0 cached; nothing was run or written"]
    assert report_pages(ran) == before
    assert sorted((ran / "reports" / ".cache").iterdir()) == cache_before
    same = cli("--root", str(ran), "run", "-n")
    assert same.stdout.splitlines()[-1] == ("dry run: 0 would run, 3 cached; nothing was run "
                                            "or written")
    assert reasons(same.stdout) == {n: "cached (nothing changed)"
                                    for n in ("01_figures", "02_map", "03_trends")}


def test_parameter_change_reruns_with_reason(ran):
    result = cli("--root", str(ran), "run", "--explain", "01_figures", "-p", "lang", "ar")
    assert reasons(result.stdout) == {"01_figures": "runs (changed: parameters)"}
    back = cli("--root", str(ran), "run", "--explain", "01_figures")
    assert reasons(back.stdout) == {"01_figures": "runs (changed: parameters)"}


@pytest.fixture
def ran_once(tmp_path):
    root = copy_project(tmp_path / "p")
    assert cli("--root", str(root), "run").returncode == 0
    return root


def _rebuild_and_explain(root) -> dict[str, str]:
    assert cli("--root", str(root), "build").returncode == 0
    result = cli("--root", str(root), "run", "--explain")
    assert result.returncode == 0, result.stderr
    return reasons(result.stdout)


def test_new_boundaries_rerun_only_the_notebook_that_reads_them(ran_once):
    path = ran_once / "data/raw/boundaries/ne10m_admin0_region.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"][0]["properties"]["admin"] += " (edited)"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert _rebuild_and_explain(ran_once) == {
        "01_figures": "cached (nothing changed)",
        "02_map": "runs (changed: data (data/raw/boundaries/ne10m_admin0_region.geojson))",
        "03_trends": "cached (nothing changed)"}
    index = (ran_once / "reports/index.html").read_text(encoding="utf-8")
    assert index.count("the files it read are unchanged since") == 2  # figures, trends


def test_raw_changes_not_yet_built_are_named(ran_once):
    """Boundaries are read as they are: edited, the map re-runs even before a build. A raw
    table reaches the pages only through a build: the run says so, and re-runs nothing."""
    path = ran_once / "data/raw/boundaries/ne10m_admin0_region.geojson"
    path.write_text(path.read_text(encoding="utf-8") + " ", encoding="utf-8")
    with (ran_once / "data" / "raw" / "claimants.csv").open("a", encoding="utf-8") as fh:
        fh.write("Test claimant,media,,Added by a test.\n")
    result = cli("--root", str(ran_once), "run", "--explain")
    assert result.returncode == 0, result.stderr
    assert reasons(result.stdout) == {
        "01_figures": "cached (nothing changed)",
        "02_map": "runs (changed: data (data/raw/boundaries/ne10m_admin0_region.geojson))",
        "03_trends": "cached (nothing changed)"}
    assert ("warning: changed since the last `analysis build`: data/raw/boundaries/"
            "ne10m_admin0_region.geojson, data/raw/claimants.csv; run `analysis build` first"
            in result.stderr)
    assert cli("--root", str(ran_once), "build").returncode == 0
    after = cli("--root", str(ran_once), "run", "--explain")
    assert "warning" not in after.stderr
    assert set(reasons(after.stdout).values()) == {"cached (nothing changed)"}


def test_a_new_figure_reruns_every_notebook(ran_once):
    raw = ran_once / "data/raw/figures.csv"
    rows = raw.read_text(encoding="utf-8")
    raw.write_text(rows.replace("150 detainees already moved", "150 detainees moved", 1),
                   encoding="utf-8")
    assert set(_rebuild_and_explain(ran_once).values()) == {
        "runs (changed: data (data/processed/figures.csv))"}


def test_data_no_page_reads_reruns_nothing(ran_once):
    with (ran_once / "data" / "raw" / "claimants.csv").open("a", encoding="utf-8") as fh:
        fh.write("Test claimant,media,,Added by a test.\n")  # no figure cites it
    assert set(_rebuild_and_explain(ran_once).values()) == {"cached (nothing changed)"}
    # the Arabic trends page names claimants from that table: it reads it, and re-runs
    ar = cli("--root", str(ran_once), "run", "03_trends", "-p", "lang", "ar")
    assert ar.returncode == 0, ar.stderr
    with (ran_once / "data" / "raw" / "claimants.csv").open("a", encoding="utf-8") as fh:
        fh.write("Another claimant,media,,Added by a test.\n")
    explained = cli("--root", str(ran_once), "build")
    assert explained.returncode == 0
    again = cli("--root", str(ran_once), "run", "--explain", "03_trends", "-p", "lang", "ar")
    assert reasons(again.stdout) == {
        "03_trends": "runs (changed: data (data/processed/claimants.csv))"}


def test_notebook_edit_and_damaged_output_rerun(ran):
    nb_path = ran / "notebooks" / "03_trends.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells[0].source += "\n\nAn added sentence."
    nbformat.write(nb, nb_path)
    (ran / "reports" / "html" / "02_map.html").write_text("damaged", encoding="utf-8")
    result = cli("--root", str(ran), "run", "--explain")
    assert reasons(result.stdout) == {
        "01_figures": "cached (nothing changed)",
        "02_map": "runs (outputs missing or modified)",
        "03_trends": "runs (changed: notebook)",
    }
    assert "An added sentence." in (ran / "reports/html/03_trends.html").read_text("utf-8")


def test_force_reruns_everything(ran):
    result = cli("--root", str(ran), "run", "--explain", "--force", "01_figures")
    assert reasons(result.stdout) == {"01_figures": "runs (--force)"}


def test_parameter_sets_render_side_by_side(tmp_path):
    root = copy_project(tmp_path / "p")
    (tmp_path / "sets.yaml").write_text("- {as_of: 2024-12-31, lang: en}\n"
                                        "- {as_of: 2026-01-25, lang: ar}\n", encoding="utf-8")
    result = cli("--root", str(root), "run", "01_figures", "-f", str(tmp_path / "sets.yaml"))
    assert result.returncode == 0, result.stderr
    pages = sorted(p.name for p in (root / "reports" / "html").iterdir())
    assert pages == ["01_figures--as_of-2024-12-31_lang-en.html",
                     "01_figures--as_of-2026-01-25_lang-ar.html"]
    index = (root / "reports" / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'href="(html/[^"]+)"', index) == [f"html/{p}" for p in pages]
    assert "as_of 2024-12-31, 2026-01-25" in index
    early = (root / "reports/html" / pages[0]).read_text(encoding="utf-8")
    late = (root / "reports/html" / pages[1]).read_text(encoding="utf-8")
    assert "0 figures" in early and "حتى 7,000" in late


def _add_cell(root, name, source):
    nb = nbformat.read(root / "notebooks" / "01_figures.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(source))
    nbformat.write(nb, root / "notebooks" / f"{name}.ipynb")


def test_dead_kernel_is_reported(tmp_path):
    root = copy_project(tmp_path / "p")
    _add_cell(root, "00_dies", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    result = cli("--root", str(root), "run", "00_dies", "01_figures")
    assert result.returncode == 1
    assert "[FAILED ] 00_dies" in result.stdout and "the kernel died" in result.stdout
    # the zygote saw how: in the progress line, the index and the kernel's log
    assert "the kernel (pid " in result.stdout and "was killed by signal SIGKILL" in result.stdout
    index = (root / "reports" / "index.html").read_text(encoding="utf-8")
    assert "was killed by signal SIGKILL" in index
    log = (root / "reports" / "logs" / "00_dies.kernel.log").read_text(encoding="utf-8")
    assert "analysis: the kernel (pid " in log
    assert "[done   ] 01_figures" in result.stdout


def test_nothing_the_run_started_outlives_it(tmp_path):
    """The fork server of the workers used to exit after the runner, tearing its modules
    down for 0.1–0.2 s while holding the run's output: a CI log or a pipe stayed open that
    long after the run had ended. Gone once the run has exited (the zygote already was)."""
    import time

    import psutil

    root = copy_project(tmp_path / "p")
    run = psutil.Popen([sys.executable, "-m", "analysis", "--root", str(root), "run",
                        "01_figures"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started: dict[int, str] = {}  # the runner's own children (its workers are the server's)
    while run.poll() is None:
        with contextlib.suppress(psutil.Error):
            for child in run.children():
                with contextlib.suppress(psutil.Error):
                    started.setdefault(child.pid, " ".join(child.cmdline()))
        time.sleep(0.01)
    assert run.returncode == 0
    servers = [pid for pid, cmd in started.items() if "multiprocessing.forkserver" in cmd]
    assert len(servers) == 1, started
    alive = [pid for pid in servers if psutil.pid_exists(pid)
             and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
    assert alive == []


@pytest.mark.parametrize("cells", [
    ["import time\ntime.sleep(600)"],  # one cell that hangs
    ["import time\ntime.sleep(2)"] * 6,  # quick cells, too many of them
    ["import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\ntime.sleep(600)"],
])
def test_a_notebook_is_stopped_at_its_time_limit(tmp_path, cells):
    root = copy_project(tmp_path / "p")
    nb = nbformat.read(root / "notebooks" / "01_figures.ipynb", as_version=4)
    nb.cells += [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, root / "notebooks" / "00_slow.ipynb")
    result = cli("--root", str(root), "run", "00_slow", "01_figures", "--timeout", "8")
    assert result.returncode == 1
    assert "the notebook ran longer than 8 s and was stopped" in result.stdout
    assert "[done   ] 01_figures" in result.stdout
    page = (root / "reports/html/00_slow.html").read_text(encoding="utf-8")
    assert "This report failed and is incomplete" in page and "longer than 8 s" in page


@pytest.mark.parametrize(("text", "message"), [
    ("as_of: [unclosed\nlang: en\n",
     "bad.yaml:2:5: not valid YAML (expected ',' or ']', but got ':'; while parsing a flow "
     "sequence that began at 1:8)"),
    ("as_of: 2026-01-25\npolicy: [upper\n",
     "bad.yaml:3:1: not valid YAML (expected ',' or ']', but got '<stream end>'; while "
     "parsing a flow sequence that began at 2:9)"),
    ("lang: ar: en\n", "bad.yaml:1:9: not valid YAML (mapping values are not allowed here)"),
    # valid YAML: the parameter is refused, by name (the YAML reader said "not valid YAML")
    ("as_of: 2026-13-01\n", "parameter as_of = '2026-13-01': not a date (month must be in "
     "1..12)"),
    ("", "bad.yaml: has no parameters: expected a mapping"),  # an empty file ran the defaults
    ("# as_of: 2026-01-25\n", "bad.yaml: has no parameters"),
    ("- as_of: 2026-01-25\n- 7\n", "bad.yaml: expected a mapping of parameter names"),
    ("as_of: 2026-01-25\nlang: ar\nas_of: 2026-02-01\n",
     "bad.yaml:3:1: not valid YAML ('as_of' is given twice in one set)"),
    ("- {lang: en}\n- {lang: ar, lang: en}\n",
     "bad.yaml:2:14: not valid YAML ('lang' is given twice in one set)"),
])
def test_bad_params_file_is_a_clear_error(tmp_path, text, message):
    root = copy_project(tmp_path / "p")
    (tmp_path / "bad.yaml").write_text(text, encoding="utf-8")
    result = cli("--root", str(root), "run", "-f", str(tmp_path / "bad.yaml"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr


def test_bad_parameter_values_are_refused_before_anything_runs(ran):
    before = report_pages(ran)
    params = ran.parent / "sets.yaml"
    params.write_text("- {lang: fr}\n- {as_of: '2026-13-01', policy: worst}\n"
                      "- {as_of: 2026-01-25, tiles: ''}\n", encoding="utf-8")
    result = cli("--root", str(ran), "run", "-f", str(params))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: parameter set 1: parameter lang = 'fr': must be one of en, ar",
        "error: parameter set 2: parameter as_of = '2026-13-01': not a date (month must be in "
        "1..12)",
        "error: parameter set 2: parameter policy = 'worst': must be one of conservative, "
        "best, upper",
        "error: parameter set 3: parameter tiles = '': must be a tile provider's name (e.g. "
        "OpenStreetMap, CartoDB positron; xyzservices lists them) or None for an offline map"]
    one = cli("--root", str(ran), "run", "-p", "as_of", "25/01/2026")
    assert one.returncode == 1
    assert one.stderr == ("error: parameter as_of = '25/01/2026': not a date as YYYY-MM-DD "
                          "(e.g. 2026-01-25), or None for every report\n")
    # a name folium does not know (or a URL, which needs an attribution) failed in the
    # notebook and replaced the good map page with a failure page
    for tiles in ("Stamen", "https://tiles.example.org/{z}/{x}/{y}.png"):
        bad = cli("--root", str(ran), "run", "02_map", "-p", "tiles", tiles)
        assert bad.returncode == 1 and bad.stderr.startswith(
            f"error: parameter tiles = '{tiles}': must be a tile provider's name"), bad.stderr
    files = cli("--root", str(ran), "run", "-f", str(params), "-f", str(params))
    assert files.returncode == 1 and files.stderr.startswith("error: -f is given 2 times (")
    twice = cli("--root", str(ran), "run", "-p", "lang", "en", "-p", "lang", "ar")
    assert twice.returncode == 1
    assert twice.stderr == ("error: -p lang is given twice ('en', then 'ar'): give it once; "
                            "for pages side by side, a parameters file with a list of sets "
                            "(-f)\n")
    assert report_pages(ran) == before  # no page replaced by a failure page


def test_runs_on_a_dask_cluster(tmp_path):
    from distributed import LocalCluster

    root = copy_project(tmp_path / "p")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        result = cli("--root", str(root), "run", "01_figures", "--scheduler",
                     cluster.scheduler_address)
    assert result.returncode == 0, result.stderr
    assert f"[running] 01_figures (on {cluster.scheduler_address})" in result.stdout
    assert "ونُقل 150" in (root / "reports/html/01_figures.html").read_text("utf-8")


def test_index_keeps_listing_reports_of_earlier_runs(tmp_path):
    root = copy_project(tmp_path / "p")
    assert cli("--root", str(root), "run").returncode == 0
    result = cli("--root", str(root), "run", "03_trends", "-p", "as_of", "2026-01-25")
    assert result.returncode == 0, result.stderr
    index = (root / "reports" / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'href="(html/[^"]+)"', index) == [
        "html/01_figures.html", "html/02_map.html", "html/03_trends.html"]
    assert "as_of 2026-01-25, 2026-02-28" in index
    # a report whose data changed since is no longer listed as if current
    raw = root / "data/raw/figures.csv"
    raw.write_text(raw.read_text(encoding="utf-8").replace(
        "150 detainees already moved", "150 detainees moved", 1), encoding="utf-8")
    assert cli("--root", str(root), "build").returncode == 0
    assert cli("--root", str(root), "run", "01_figures").returncode == 0
    index = (root / "reports" / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'href="(html/[^"]+)"', index) == ["html/01_figures.html"]


def test_a_no_change_run_imports_nothing_heavy(ran):
    """What makes a no-change run cost ~0.1 s: it only hashes, it never loads the stack."""
    code = ("import sys\nfrom analysis.cli import main\nassert main(['--root', sys.argv[1], "
            "'run']) == 0\nprint(sorted(m for m in ('pandas', 'jupyter_client', 'papermill', "
            "'nbconvert', 'zmq', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, str(ran)], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "3 cached" in out.stdout and out.stdout.strip().splitlines()[-1] == "[]"


def test_good_parameter_values_pass():
    import datetime as dt

    from analysis import parameters

    for given in ({}, {"as_of": None, "tiles": None},
                  {"as_of": "2026-02-28", "lang": "ar", "policy": "upper",
                   "tiles": "OpenStreetMap", "not_ours": object()},
                  {"as_of": dt.date(2026, 1, 25)}):
        assert parameters.problems(given) == []


@pytest.mark.parametrize(("args", "message"), [
    (["--jobs", "0"], "argument -j/--jobs: 0 is not above zero"),
    (["--jobs", "-3"], "argument -j/--jobs: -3 is not above zero"),
    (["--timeout", "0"], "argument --timeout: 0 is not above zero"),
    (["--timeout", "ten"], "argument --timeout: 'ten' is not a whole number"),
])
def test_jobs_and_timeout_must_be_above_zero(ran, args, message):
    result = cli("--root", str(ran), "run", *args)
    assert result.returncode == 2  # a usage error, as argparse gives for any bad option
    assert result.stderr.splitlines()[-1] == f"analysis run: error: {message}"


def test_the_readmes_parameter_files_are_valid():
    """The files the README's commands use: readable, known names, allowed values."""
    import argparse

    from conftest import ROOT

    from analysis import cli as analysis_cli
    from analysis import parameters, reports

    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    files = sorted((ROOT / "params").glob("*.yaml"))
    assert [f.name for f in files] == ["arabic-upper.yaml", "languages.yaml", "weeks.yaml"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in files:
        assert f"-f params/{path.name}" in readme
        sets = analysis_cli._parameter_sets(argparse.Namespace(params_file=[str(path)],
                                                               parameter=None))
        parameters.check(sets)
        for given in sets:
            reports.effective_parameters(notebooks, given)  # every name known to every one
