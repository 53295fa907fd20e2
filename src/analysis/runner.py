"""`analysis run`: plan the report tasks, skip what did not change, run the rest in parallel.

- One task per notebook and parameter set (several sets render side by side as separate
  pages, e.g. `01_figures--as_of-2026-01-25_lang-ar.html`).
- A task is skipped when its cache key (see `analysis.cache`) equals the last successful
  run's and its outputs still have the recorded sha256; `--force` runs everything, and
  `--explain` prints each key and why a task runs.
- Tasks run in a local process pool (`jobs`, default the number of cores), or on an existing
  Dask distributed cluster (`scheduler`), which must see the same filesystem.
- A failing notebook never stops the others; it is reported, never cached (its record says
  why it failed, for the next run's reason and the index), and makes the
  exit code non-zero.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import functools
import json
import multiprocessing
import os
import re
import signal
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from analysis import atomic, cache, lock, parameters, paths, reports
from analysis.errors import AnalysisError
from analysis.manifest import changed_inputs, load_manifest, raw_hashes
from analysis.reports import Result, Task

CACHE_DIR = ".cache"
WORKER_PRELOAD = ["analysis.preload"]  # what the workers need, imported once


def page_name(stem: str, given: dict, several: bool) -> str:
    if not several or not given:
        return stem
    slug = "_".join(f"{k}-{v}" for k, v in sorted(given.items()))
    return f"{stem}--{re.sub(r'[^A-Za-z0-9._-]+', '-', slug).strip('-')}"


def plan(p: paths.Paths, parameter_sets: list[dict], names: list[str] | None,
         timeout: int, manifest: dict) -> list[Task]:
    notebooks = reports.notebook_paths(p, names)
    if not notebooks:
        raise AnalysisError(f"no notebooks in {p.notebooks}")
    parameters.check(parameter_sets)  # before any kernel starts or any page is replaced
    data_version = manifest["data_version"]
    several = len(parameter_sets) > 1
    tasks, pages = [], set()
    for given in parameter_sets:
        effective = reports.effective_parameters(notebooks, given)
        for nb in notebooks:
            page = page_name(nb.stem, given, several)
            if page in pages:
                raise AnalysisError(f"two parameter sets give the same page {page}")
            pages.add(page)
            tasks.append(Task(nb, page, p.reports / "executed" / f"{page}.ipynb",
                              p.reports / "html" / f"{page}.html", effective[nb], data_version,
                              timeout, str(p.root)))
    return tasks


def _record_path(p: paths.Paths, task: Task) -> Path:
    return p.reports / CACHE_DIR / f"{task.page}.json"


def _outputs_intact(record: dict, task: Task) -> bool:
    for path in (task.executed, task.html):
        expected = record.get("outputs", {}).get(path.name)
        if expected is None or not path.is_file() or atomic.sha256_file(path) != expected:
            return False
    return True


def _data_part(p: paths.Paths, record: dict, manifest: dict,
               raw: dict[str, str | None]) -> tuple[str, list[str]]:
    """The data part of a key now, for the files the last run read; and those that changed.
    `raw`: the run's `manifest.raw_hashes`, so that no file is hashed twice."""
    read = record.get("inputs") or {}
    if not read:
        return cache.data_part(None, manifest["data_version"]), []
    now = cache.current_inputs(manifest, sorted(read), paths.relative(p.processed, p.root),
                               p.root, raw)
    return (cache.data_part(now, manifest["data_version"]),
            [k for k in sorted(read) if now[k] != read[k]])


def check_cache(p: paths.Paths, task: Task, force: bool, manifest: dict,
                raw: dict[str, str | None]) -> tuple[cache.Key, str | None, dict]:
    """(key, reason to run or None when cached, previous record, kept even when stale);
    `manifest` is read once per run by the caller."""
    try:
        record = json.loads(_record_path(p, task).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
        record = {}
    data, changed_files = _data_part(p, record, manifest, raw)
    key = cache.key_for(task.notebook, task.parameters, data)
    if force:
        return key, "--force", record
    if not record:
        return key, "no previous run", record
    if record.get("status") == "failed":  # a failure is never reused, only remembered
        return key, f"the last run failed: {record.get('error') or 'no reason kept'}", record
    changed = key.changed(record.get("key"))
    if changed:
        parts = [f"data ({', '.join(changed_files)})" if part == "data" and changed_files
                 else part for part in changed]
        return key, "changed: " + ", ".join(parts), record
    if not _outputs_intact(record, task):
        return key, "outputs missing or modified", record
    return key, None, record


def _execute_all(tasks: list[Task], jobs: int, scheduler: str | None,
                 log: Callable[[str], None]) -> list[Result]:
    results: list[Result] = []
    if not tasks:
        return results
    if scheduler:
        try:
            from distributed import Client
            from distributed import as_completed as dask_completed
        except ImportError:
            raise AnalysisError("--scheduler needs the `distributed` package") from None
        try:
            client = Client(scheduler, timeout=30)
        except OSError as exc:
            raise AnalysisError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") \
                from None
        with client:
            for t in tasks:
                log(f"[running] {t.page} (on {scheduler})")
            futures = client.map(reports.execute, tasks, pure=False)
            for future in dask_completed(futures):
                r = future.result()
                results.append(r)
                _log_result(r, log)
        return results
    from analysis.zygote import Zygote  # no jupyter_client: the zygote starts sooner

    workers = max(1, min(jobs, len(tasks)))
    # Workers are forked from multiprocessing's fork server, which imports papermill and
    # nbconvert once for all of them; not forked from the runner itself, whose children would
    # inherit the run lock's descriptor and keep the lock after the runner was killed.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(WORKER_PRELOAD)
    _stop_fork_server_at_exit()
    # The zygote imports the notebooks' stack while the workers start; see analysis.zygote.
    with Zygote() as zygote, \
            ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                initializer=_follow, initargs=(os.getpid(),)) as pool:
        tasks = [dataclasses.replace(t, kernels=zygote.address) for t in tasks]
        futures = {}
        for i, t in enumerate(tasks):
            futures[pool.submit(reports.execute, t)] = t
            if i < workers:
                log(f"[running] {t.page}")
        waiting = list(tasks[workers:])
        for future in as_completed(futures):
            r = future.result()
            results.append(r)
            _log_result(r, log)
            if waiting:  # the pool starts queued tasks in order as workers free up
                log(f"[running] {waiting.pop(0).page}")
    return results


@functools.cache  # registered once, however many runs a process makes
def _stop_fork_server_at_exit() -> None:
    atexit.register(_stop_fork_server)


def _stop_fork_server() -> None:
    """At exit, stop multiprocessing's fork server at once.

    Left to itself it exits after the runner, when it sees the runner gone, and then tears
    down every module it imported (0.1–0.2 s): whoever reads the run's output (a CI log, a
    pipe, the benchmark) waited for it, as it holds that output too. It has nothing left to
    do (the pool has shut its workers down) and nothing to save (its socket is the runner's
    to remove). Reaped here, once: its pid cannot be another process's before that.
    """
    from multiprocessing import forkserver

    pid = getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None)
    if not isinstance(pid, int):
        return
    with contextlib.suppress(OSError):  # already gone: nothing to stop
        os.kill(pid, signal.SIGTERM)  # the fork server sets no handler for it
        os.waitpid(pid, 0)


def _follow(runner: int) -> None:
    """A worker exits with the runner, so a killed run leaves no orphan writing reports behind
    the next one (its kernel follows it; the fork server, which the runner stops at its exit,
    exits by itself once the runner is gone)."""
    from analysis import zygote

    zygote.exit_with(runner)


def _log_result(r: Result, log: Callable[[str], None]) -> None:
    if r.status == "done":
        log(f"[done   ] {r.name} in {r.seconds:.1f}s")
    else:
        log(f"[FAILED ] {r.name} in {r.seconds:.1f}s: {r.error}")


def _other_reports(p: paths.Paths, done: set[str], manifest: dict,
                   raw: dict[str, str | None]) -> list[Result]:
    """Reports of earlier runs that are still whole and current (same notebook, same data):
    the index keeps listing them when a run renders only some notebooks, a failed one as
    failed."""
    out = []
    for path in sorted((p.reports / CACHE_DIR).glob("*.json")):
        page = path.stem
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue
        notebook = p.notebooks / str(record.get("notebook", ""))
        task = Task(notebook, page, p.reports / "executed" / f"{page}.ipynb",
                    p.reports / "html" / f"{page}.html", record.get("parameters", {}),
                    manifest["data_version"])
        if page in done or not notebook.is_file() or not _outputs_intact(record, task):
            continue
        key = cache.key_for(notebook, task.parameters, _data_part(p, record, manifest, raw)[0])
        if key.changed(record.get("key")):
            continue
        out.append(_cached(record, task, "listed"))
    return out


def _cached(record: dict, task: Task, reason: str) -> Result:
    """A report reused from an earlier run, as its record describes it (a failed one is only
    listed, never reused)."""
    failed = record.get("status") == "failed"
    return Result(task.page, "failed" if failed else "cached", 0.0,
                  record.get("error") if failed else None, record.get("title", ""),
                  task.parameters,
                  record.get("outputs", {}), reason, record.get("inputs", {}),
                  record.get("data_version", task.data_version))


def summary(results: list[Result]) -> str:
    width = max([len(r.name) for r in results] + [8])
    lines = [f"{'report':<{width}}  {'status':<7}  {'seconds':>7}  reason"]
    for r in sorted(results, key=lambda r: r.name):
        lines.append(f"{r.name:<{width}}  {r.status:<7}  {r.seconds:>7.1f}  {r.reason}"
                     + (f" — {r.error}" if r.error else ""))
    return "\n".join(lines)


def run(parameter_sets: list[dict] | dict | None = None, root: Path | str | None = None,
        names: list[str] | None = None, jobs: int | None = None, timeout: int = 600,
        force: bool = False, explain: bool = False, scheduler: str | None = None,
        log: Callable[[str], None] = print, dry_run: bool = False,
        warn: Callable[[str], None] | None = None) -> list[Result]:
    """Execute (or reuse) every notebook for every parameter set; write reports/index.html.

    `log` gets the progress, verdicts and summary; `warn` (default `log`) the warnings.
    With `dry_run`, only say what would run and why (as `explain` does), and return nothing:
    no kernel starts, nothing is written, and no lock is taken (a run may be going on).
    """
    warn = warn or log
    p = paths.get(root)
    if parameter_sets is None or isinstance(parameter_sets, dict):
        parameter_sets = [dict(parameter_sets or {})]
    manifest = load_manifest(p.root)  # once per run: the plan, the keys, the index
    tasks = plan(p, parameter_sets, names, timeout, manifest)
    raw = raw_hashes(manifest, p.root)
    if dry_run:
        verdicts = _verdicts(p, tasks, manifest, raw, force, True, log, warn, would=True)
        runs = sum(reason is not None for _, _, reason, _ in verdicts)
        log(f"dry run: {runs} would run, {len(verdicts) - runs} cached; nothing was run or "
            "written")
        return []
    with lock.exclusive(p.reports / ".run.lock", "analysis run"):
        atomic.recover(p.reports)  # a run killed half-way: finish or drop its last writes
        for stray in (p.reports / "executed").glob(".*.running.ipynb"):
            stray.unlink()
        return _run_locked(p, tasks, manifest, raw, jobs, force, explain, scheduler, log,
                           warn)


def _verdicts(p: paths.Paths, tasks: list[Task], manifest: dict,
              raw: dict[str, str | None], force: bool, explain: bool,
              log: Callable[[str], None], warn: Callable[[str], None], would: bool = False
              ) -> list[tuple[Task, cache.Key, str | None, dict]]:
    """Each task with its key, the reason it runs (None: cached) and its last record; warns
    first when raw data changed since the build, and with `explain` logs each verdict.
    `raw`: `manifest.raw_hashes`, hashed once for the warning and every key."""
    stale = changed_inputs(manifest, p.root, raw)
    if stale:  # the processed data, and so the reports, miss the change until a build
        warn(f"warning: changed since the last `analysis build`: {', '.join(stale)}; run "
            "`analysis build` first (or `make reports`) for the data and the reports to "
            "include it")
    out = []
    for t in tasks:
        key, reason, record = check_cache(p, t, force, manifest, raw)
        if explain:
            runs = "would run" if would else "runs"
            log(f"[explain] {t.page}: key {key.digest} "
                + (f"{runs} ({reason})" if reason else "cached (nothing changed)"))
        out.append((t, key, reason, record))
    return out


def _run_locked(p: paths.Paths, tasks: list[Task], manifest: dict,
                raw: dict[str, str | None], jobs: int | None, force: bool, explain: bool,
                scheduler: str | None, log: Callable[[str], None],
                warn: Callable[[str], None]) -> list[Result]:
    to_run, results, keys = [], [], {}
    for t, key, reason, record in _verdicts(p, tasks, manifest, raw, force, explain, log, warn):
        keys[t.page] = key
        if reason is None:
            log(f"[cached ] {t.page}")
            results.append(_cached(record, t, "cached"))
        else:
            log(f"[queued ] {t.page} ({reason})")
            to_run.append((t, reason, float(record.get("seconds", 0.0))))
    # Longest first (by the last run's time): two workers finish three notebooks sooner.
    to_run = [(t, reason) for t, reason, _ in sorted(to_run, key=lambda x: -x[2])]
    started = time.monotonic()
    ran = _execute_all([t for t, _ in to_run], jobs or os.cpu_count() or 1, scheduler, log)
    reasons = {t.page: reason for t, reason in to_run}
    for r in ran:
        r.reason = reasons[r.name]
        task = next(t for t in tasks if t.page == r.name)
        # the data part from what the notebook read, known only now that it ran
        key = dataclasses.replace(keys[r.name],
                                  data=cache.data_part(r.inputs, task.data_version))
        record = {"key": key.as_dict(), "digest": key.digest, "outputs": r.outputs,
                  "inputs": r.inputs, "data_version": task.data_version,
                  "title": r.title, "seconds": round(r.seconds, 1),
                  "notebook": task.notebook.name, "parameters": task.parameters}
        if r.status != "done":  # kept to say why the next run retries it, and for the index
            record.update(status="failed", error=r.error)
        atomic.write_text(p.reports / CACHE_DIR / f"{r.name}.json",
                          json.dumps(record, indent=1, sort_keys=True) + "\n")
    results += ran
    data_version = tasks[0].data_version
    listed = results + _other_reports(p, {r.name for r in results}, manifest, raw)
    atomic.write_text(p.reports / "index.html", reports.index_html(listed, data_version))
    log(summary(results))
    failed = sum(r.status == "failed" for r in results)
    log(f"{len(results) - failed} of {len(results)} reports ok ({len(ran)} ran, "
        f"{len(results) - len(ran)} cached) in {time.monotonic() - started:.1f}s; "
        f"index: {p.reports / 'index.html'}")
    return sorted(results, key=lambda r: r.name)
