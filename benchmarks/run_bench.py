"""Benchmark of `analysis run`, as ratios measured in one run (these machines are noisy).

(a) cold `analysis run --force` over every notebook vs papermill executing as many empty
    notebooks through the same process pool: the kernel floor (target ≤ 1.3);
(b) a no-change `analysis run` vs the cold run (target ≤ 0.05);
(c) `python -c "import analysis"` vs `python -c "import pandas"` (target ≤ 1.15);
(d) peak memory of a cold run, summed over the runner, its workers and the kernels.

Each timing is the median of --repeat runs (default 5). Works on a scratch copy of the
project, so the checkout's reports/ are left alone.

    python benchmarks/run_bench.py [--repeat 5] [--jobs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import psutil

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def scratch_project(dest: Path) -> Path:
    for sub in ("data/raw", "data/processed", "notebooks"):
        shutil.copytree(ROOT / sub, dest / sub)
    return dest


def timed(cmd: list[str], env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def _run_empty(path: str) -> None:
    import papermill

    papermill.execute_notebook(path, path.replace(".ipynb", ".out.ipynb"), parameters={"x": 2},
                               kernel_name="python3", progress_bar=False, log_output=False)


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


def floor_seconds(paths: list[str], jobs: int) -> float:
    """papermill on empty notebooks, through a process pool like the runner's."""
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=min(jobs, len(paths))) as pool:
        list(pool.map(_run_empty, paths))
    return time.perf_counter() - start


def peak_memory(cmd: list[str]) -> float:
    """Peak RSS (MiB) of a command and all its descendants, sampled every 20 ms."""
    proc = psutil.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            try:
                procs = [proc, *proc.children(recursive=True)]
                total = 0
                for p in procs:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
                peak = max(peak, total)
            except psutil.Error:
                pass
            time.sleep(0.02)

    t = threading.Thread(target=sample)
    t.start()
    proc.wait()
    done.set()
    t.join()
    return peak / 2**20


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = scratch_project(Path(tmp) / "project")
        count = len(list((root / "notebooks").glob("*.ipynb")))
        run = [PY, "-m", "analysis", "--root", str(root), "run", "--jobs", str(args.jobs)]
        timed(run + ["--force"])  # warm the file cache once
        cold = [timed(run + ["--force"]) for _ in range(args.repeat)]
        nochange = [timed(run) for _ in range(args.repeat)]
        empties = empty_notebooks(Path(tmp), count)
        floor = [floor_seconds(empties, args.jobs) for _ in range(args.repeat)]
        imp_analysis = [timed([PY, "-c", "import analysis"]) for _ in range(args.repeat)]
        imp_pandas = [timed([PY, "-c", "import pandas"]) for _ in range(args.repeat)]
        memory = peak_memory(run + ["--force"])
    med = statistics.median
    print(f"notebooks: {count}, jobs: {args.jobs}, repeats: {args.repeat} (medians)")
    print(f"(a) cold run --force      {med(cold):7.2f} s   papermill floor {med(floor):6.2f} s"
          f"   ratio {med(cold) / med(floor):5.2f}   (target <= 1.3)")
    print(f"(b) no-change run         {med(nochange):7.2f} s   cold run {med(cold):6.2f} s"
          f"   ratio {med(nochange) / med(cold):5.3f}   (target <= 0.05)")
    print(f"(c) import analysis       {med(imp_analysis):7.3f} s   import pandas "
          f"{med(imp_pandas):6.3f} s   ratio {med(imp_analysis) / med(imp_pandas):5.2f}"
          "   (target <= 1.15)")
    print(f"(d) peak memory, cold run {memory:7.0f} MiB (runner + workers + kernels)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
