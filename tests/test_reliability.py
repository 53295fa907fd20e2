"""Interrupted and concurrent commands: nothing truncated, nothing mixed, nothing lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import cli, report_pages, tree_hash

from analysis import atomic, lock


def _processed(root: Path) -> dict[str, str]:
    return tree_hash(root / "data" / "processed")


def _start(root: Path, *args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "analysis", "--root", str(root), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)


def _change_raw(root: Path) -> None:
    with (root / "data" / "raw" / "claimants.csv").open("a", encoding="utf-8") as fh:
        fh.write("Reliability test claimant,media,,Appended to change the outputs.\n")


def test_second_build_while_one_runs_says_so(project):
    with lock.exclusive(project / "data" / ".build.lock", "analysis build"):
        result = cli("--root", str(project), "build")
    assert result.returncode == 1
    assert result.stderr.startswith("error: analysis build is already running in this project "
                                    f"(pid {os.getpid()})")


def test_lock_of_a_killed_build_is_not_stale(project):
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from analysis import lock\n"
        f"with lock.exclusive(Path({str(project / 'data' / '.build.lock')!r}), 'x'):\n"
        "    print('held', flush=True); time.sleep(60)")], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    assert cli("--root", str(project), "build").returncode == 1
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    result = cli("--root", str(project), "build")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("delay", [0.05, 0.4, 0.8, 1.2, 1.6, 2.0, 2.5])
def test_killed_build_leaves_old_or_new_never_a_mix(project, tmp_path, delay):
    old = _processed(project)
    _change_raw(project)
    expected = cli("--root", str(project), "build", "--out", str(tmp_path / "new"))
    assert expected.returncode == 0
    new = tree_hash(tmp_path / "new")
    scratch = tmp_path / "tmp"  # the killed build's temporary folder
    scratch.mkdir()
    proc = _start(project, "build", env={**os.environ, "TMPDIR": str(scratch)})
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    atomic.recover(project / "data" / "processed")  # what the next reader or build does first
    after = _processed(project)
    assert after in (old, new), f"killed after {delay}s: a mixed or truncated set"
    # GDAL's scratch GeoPackage is in the project, where the next build clears it, never in
    # the temporary folder, where a killed build's would stay
    assert not list(scratch.glob("analysis-gpkg-*"))
    result = cli("--root", str(project), "build")
    assert result.returncode == 0, result.stderr
    assert _processed(project) == new
    assert not (project / "data" / ".build-work").exists()


def test_build_writes_its_geopackage_in_the_project_not_the_temporary_folder(project,
                                                                           monkeypatch):
    import pyogrio

    from analysis import build

    written = []
    real = pyogrio.write_dataframe

    def noting(frame, path, *args, **kwargs):
        written.append(Path(path))
        return real(frame, path, *args, **kwargs)

    monkeypatch.setattr(pyogrio, "write_dataframe", noting)
    build.build(project)
    assert written and {p.parent for p in written} == {project / "data" / ".build-work"}
    assert not (project / "data" / ".build-work").exists()


def test_build_clears_a_killed_builds_scratch_folder(project):
    work = project / "data" / ".build-work"
    work.mkdir()
    (work / "places.gpkg").write_bytes(b"half a GeoPackage")  # as a killed build leaves it
    before = _processed(project)
    result = cli("--root", str(project), "build")
    assert result.returncode == 0, result.stderr
    assert not work.exists()
    assert _processed(project) == before  # same raw data: the same bytes, scratch or not


@pytest.mark.parametrize("delay", [1.0, 3.0, 5.0])
def test_killed_run_keeps_previous_reports(rendered, delay):
    before = report_pages(rendered)
    proc = _start(rendered, "run", "--force")
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    atomic.recover(rendered / "reports")
    after = report_pages(rendered)
    for page in ("01_figures", "02_map", "03_trends"):
        pair = {f"html/{page}.html", f"executed/{page}.ipynb"}
        # each report is whole: both files as before (inputs unchanged, so same bytes)
        assert {k: after.get(k) for k in pair} == {k: before[k] for k in pair}
    assert after.get("index.html") == before["index.html"]
    result = cli("--root", str(rendered), "run")
    assert result.returncode == 0, result.stderr
    assert report_pages(rendered) == before


def test_second_run_while_one_runs_says_so(rendered):
    with lock.exclusive(rendered / "reports" / ".run.lock", "analysis run"):
        result = cli("--root", str(rendered), "run")
    assert result.returncode == 1
    assert "error: analysis run is already running in this project" in result.stderr


def test_recover_finishes_a_committed_set(tmp_path):
    folder = tmp_path / "out"
    atomic.replace_set(folder, {"a.txt": b"old a", "b.txt": b"old b"})
    # stage a new set and its journal by hand, as a build killed right after its commit
    atomic.write_bytes(folder / ".a.txt.new", b"new a")
    atomic.write_bytes(folder / ".b.txt.new", b"new b")
    atomic.write_text(folder / ".journal.json", '{"a.txt": ".a.txt.new", "b.txt": ".b.txt.new"}')
    atomic.recover(folder)
    assert (folder / "a.txt").read_bytes() == b"new a" and (folder / "b.txt").read_bytes() \
        == b"new b"
    assert sorted(p.name for p in folder.iterdir()) == ["a.txt", "b.txt"]


def test_recover_drops_an_uncommitted_set(tmp_path):
    folder = tmp_path / "out"
    atomic.replace_set(folder, {"a.txt": b"old a"})
    atomic.write_bytes(folder / ".a.txt.new", b"half")
    atomic.recover(folder)
    assert (folder / "a.txt").read_bytes() == b"old a"
    assert sorted(p.name for p in folder.iterdir()) == ["a.txt"]


def test_sets_written_at_once_in_one_folder_do_not_disturb_each_other(tmp_path):
    """The runner's workers write their reports into one folder at the same time."""
    folder = tmp_path / "reports"
    atomic.replace_set(folder, {"html/a.html": b"old a"}, name="a")
    atomic.write_bytes(folder / "html" / ".a.html.new", b"new a, being staged")
    atomic.replace_set(folder, {"html/b.html": b"b"}, name="b")  # another worker, meanwhile
    assert (folder / "html" / ".a.html.new").read_bytes() == b"new a, being staged"
    atomic.recover(folder, drop_staged=False)  # a reader: finishes nothing it should not
    assert (folder / "html" / ".a.html.new").exists()
    assert (folder / "html" / "a.html").read_bytes() == b"old a"
