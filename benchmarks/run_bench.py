"""Benchmark of `analysis run`, as ratios measured in one run (these machines are noisy).

(a) cold `analysis run --force` over every notebook vs papermill executing as many empty
    notebooks through the same kind of process pool (spawned workers, as many as the run
    uses), started as a command like the run is: the kernel floor (target ≤ 1.3). The floor
    is bimodal (a stock kernel now and then takes ~2.5 s longer to shut down): the ratio is
    also printed against its fastest run and against the median of its fast mode;
    and, to tell the runner's own cost from the notebooks' work, `analysis run --force` over
    as many empty notebooks vs the same floor (no target);
(b) a no-change `analysis run` vs the cold run (target ≤ 0.05);
(c) `python -c "import analysis"` vs `python -c "import pandas"` (target ≤ 1.15);
(d) peak memory of a cold run, summed over the runner, its workers, the zygote and the
    kernels: proportional set size (pages shared after a fork counted once), and RSS.

Each timing is the median of --repeat runs (default 5). Works on a scratch copy of the
project, so the checkout's reports/ are left alone.

    python benchmarks/run_bench.py [--repeat 5] [--jobs N]
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def scratch_project(dest: Path, notebooks: list[str] | None = None) -> Path:
    """A copy of the project's data and notebooks; or of its data and `notebooks`."""
    for sub in ("data/raw", "data/processed"):
        shutil.copytree(ROOT / sub, dest / sub)
    if notebooks is None:
        shutil.copytree(ROOT / "notebooks", dest / "notebooks")
    else:
        (dest / "notebooks").mkdir()
        for path in notebooks:
            shutil.copy(path, dest / "notebooks")
    return dest


def timed(cmd: list[str], env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


FLOOR = """
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor

def run(path):
    import papermill
    papermill.execute_notebook(path, path.replace(".ipynb", ".out.ipynb"), parameters={"x": 2},
                               kernel_name="python3", progress_bar=False, log_output=False)

if __name__ == "__main__":
    jobs, paths = int(sys.argv[1]), sys.argv[2:]
    with ProcessPoolExecutor(max_workers=min(jobs, len(paths)),
                             mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(run, paths))
"""


def empty_notebooks(folder: Path, count: int) -> list[str]:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x = 1")
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    paths = []
    for i in range(count):
        path = folder / f"empty{i}.ipynb"
        nbformat.write(nb, path)
        paths.append(str(path))
    return paths


FLOOR_FAILURES: list[str] = []


def floor_seconds(folder: Path, paths: list[str], jobs: int) -> float:
    """papermill on empty notebooks, through a spawn process pool like the runner's.

    Stock papermill fails now and then (about one run in a hundred here, a kernel that does
    not answer); such a run is reported at the end and measured again, not counted.
    """
    script = folder / "floor.py"
    script.write_text(FLOOR, encoding="utf-8")
    for _ in range(3):
        try:
            return timed([PY, str(script), str(jobs), *paths])
        except subprocess.CalledProcessError as exc:
            lines = (exc.stderr or b"").decode(errors="replace").strip().splitlines()
            FLOOR_FAILURES.append(lines[-1] if lines else f"exit status {exc.returncode}")
    raise SystemExit("the papermill floor failed three times in a row: " + FLOOR_FAILURES[-1])


def peak_memory(cmd: list[str]) -> tuple[float, float]:
    """Peak PSS and peak RSS (MiB) of a command and all its descendants, sampled every 50 ms."""
    proc = psutil.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak_pss = peak_rss = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_pss, peak_rss
        while not done.is_set():
            try:
                procs = [proc, *proc.children(recursive=True)]
            except psutil.Error:
                procs = []
            pss = rss = 0
            for p in procs:
                try:
                    info = p.memory_full_info()
                except psutil.Error:
                    continue
                pss += info.pss
                rss += info.rss
            peak_pss, peak_rss = max(peak_pss, pss), max(peak_rss, rss)
            time.sleep(0.05)

    t = threading.Thread(target=sample)
    t.start()
    proc.wait()
    done.set()
    t.join()
    return peak_pss / 2**20, peak_rss / 2**20


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    # The library's bytecode, as `make` compiles it at install: where PYTHONDONTWRITEBYTECODE
    # is set, a file edited since would be compiled again by every process of every run.
    compileall.compile_dir(ROOT / "src", quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        root = scratch_project(Path(tmp) / "project")
        count = len(list((root / "notebooks").glob("*.ipynb")))
        run = [PY, "-m", "analysis", "--root", str(root), "run", "--jobs", str(args.jobs)]
        empties = empty_notebooks(Path(tmp), count)
        bare = scratch_project(Path(tmp) / "empty-project", empties)
        run_bare = [PY, "-m", "analysis", "--root", str(bare), "run", "--jobs", str(args.jobs),
                    "--force"]
        timed(run + ["--force"])  # warm the file cache once
        timed(run_bare)
        floor_seconds(Path(tmp), empties, args.jobs)
        cold, floor, runner_floor = [], [], []
        for _ in range(args.repeat):  # interleaved, so a noisy minute hurts all alike
            cold.append(timed(run + ["--force"]))
            floor.append(floor_seconds(Path(tmp), empties, args.jobs))
            runner_floor.append(timed(run_bare))
        nochange = [timed(run) for _ in range(args.repeat)]
        imp_analysis = [timed([PY, "-c", "import analysis"]) for _ in range(args.repeat)]
        imp_pandas = [timed([PY, "-c", "import pandas"]) for _ in range(args.repeat)]
        pss, rss = peak_memory(run + ["--force"])
    med = statistics.median
    print(f"notebooks: {count}, jobs: {args.jobs}, repeats: {args.repeat} (medians)")
    print(f"(a) cold run --force      {med(cold):7.2f} s   papermill floor {med(floor):6.2f} s"
          f"   ratio {med(cold) / med(floor):5.2f}   (target <= 1.3)")
    pairs = sorted(c / f for c, f in zip(cold, floor, strict=True))
    print(f"    ratio of each interleaved pair: {pairs[0]:.2f} to {pairs[-1]:.2f}; "
          f"against the fastest floor run ({min(floor):.2f} s): {med(cold) / min(floor):.2f}")
    print(f"    the runner on {count} empty notebooks {med(runner_floor):.2f} s: "
          f"{med(runner_floor) / med(floor):.2f} of the floor (its own cost); the notebooks' "
          f"work adds {med(cold) - med(runner_floor):.2f} s")
    # Stock kernels sometimes take ~2.5 s longer to shut down: the floor is bimodal, and its
    # median is the slow mode's when most runs fall there. Against the median of the fast
    # mode alone, the floor's kernel starts without its slow shutdowns.
    fast = [f for f in floor if f <= 1.5 * min(floor)]
    print(f"    against the median of the fast floor runs ({len(fast)} of {len(floor)}, under "
          f"1.5x the fastest; {med(fast):.2f} s): {med(cold) / med(fast):.2f}")
    print(f"(b) no-change run         {med(nochange):7.2f} s   cold run {med(cold):6.2f} s"
          f"   ratio {med(nochange) / med(cold):5.3f}   (target <= 0.05)")
    print(f"(c) import analysis       {med(imp_analysis):7.3f} s   import pandas "
          f"{med(imp_pandas):6.3f} s   ratio {med(imp_analysis) / med(imp_pandas):5.2f}"
          "   (target <= 1.15)")
    print(f"(d) peak memory, cold run {pss:7.0f} MiB PSS ({rss:.0f} MiB RSS summed over the "
          "runner, workers, zygote and kernels)")
    for failure in FLOOR_FAILURES:
        print(f"    a floor run failed and was measured again: {failure}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
