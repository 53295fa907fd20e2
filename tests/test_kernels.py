"""Warm kernels forked from the zygote: same results as a plain kernel, isolated, and gone
with whoever asked for them."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import papermill
import pytest
import zmq

from analysis import kernels
from analysis.zygote import ADDRESS, FOLDER_PREFIX, Zygote, ending, sweep_stale

# What a notebook can see of its kernel: where it runs and what it was given.
PROBE = """\
import json, os, sys
print(json.dumps({
    "cwd": os.getcwd(),
    "path": sys.path,
    "address_in_env": "ANALYSIS_KERNELS" in os.environ,
    "marker": os.environ.get("PROBE_MARKER"),
    "parent_is_asker": os.getppid() == int(os.environ["JPY_PARENT_PID"]),
    "pid": os.getpid(),
    "pgid_is_pid": os.getpgid(0) == os.getpid(),
    "warm": "pandas" in sys.modules,
    "transport": __import__("ipykernel.kernelapp").kernelapp.IPKernelApp.instance().transport,
    "gc": __import__("gc").get_threshold(),
}))
"""


def python(code: str, *flags: str) -> subprocess.CompletedProcess:
    """`code` run by a fresh interpreter (what a fork server or zygote imports, from scratch)."""
    return subprocess.run([sys.executable, *flags, "-c", code], capture_output=True,
                          text=True, check=True)


def probe_notebook(folder: Path, source: str = PROBE) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = folder / "probe.ipynb"
    nbformat.write(nb, path)
    return path


def run_probe(path: Path, monkeypatch) -> dict:
    monkeypatch.setenv("PROBE_MARKER", "seen")
    out = papermill.execute_notebook(
        str(path), str(path.with_name("out.ipynb")), kernel_name="python3",
        progress_bar=False, cwd=str(path.parent), kernel_manager_class=kernels.ForkKernelManager)
    return json.loads(out.cells[0].outputs[0]["text"])


@pytest.fixture(scope="module")
def zygote():
    with Zygote() as z:
        yield z


def test_a_warm_kernel_behaves_like_a_plain_one(tmp_path, monkeypatch, zygote):
    path = probe_notebook(tmp_path)
    monkeypatch.delenv(ADDRESS, raising=False)
    plain = run_probe(path, monkeypatch)
    monkeypatch.setenv(ADDRESS, zygote.address)
    warm = run_probe(path, monkeypatch)
    assert plain.pop("warm") is False and warm.pop("warm") is True  # the stack is preloaded
    assert plain.pop("pid") != warm.pop("pid")
    assert plain["parent_is_asker"] is True and warm["parent_is_asker"] is False  # the zygote's
    plain.pop("parent_is_asker"), warm.pop("parent_is_asker")
    assert warm.pop("path") == plain["path"] and "" in plain.pop("path")  # cwd importable
    # a warm kernel collects garbage less often (one notebook, then it exits)
    assert (plain.pop("gc"), warm.pop("gc")) == ([700, 10, 10], [10_000, 10, 10])
    assert warm == plain == {"cwd": str(tmp_path), "address_in_env": False,
                             "marker": "seen", "pgid_is_pid": True,
                             "transport": "ipc"}  # Unix sockets: no port to lose to a race


def test_state_does_not_leak_between_warm_kernels(tmp_path, monkeypatch, zygote):
    monkeypatch.setenv(ADDRESS, zygote.address)
    path = probe_notebook(tmp_path, "import pandas\nprint(getattr(pandas, 'LEAK', 'clean'))\n"
                                    "pandas.LEAK = 'leaked'")
    for _ in range(2):
        out = papermill.execute_notebook(
            str(path), str(tmp_path / "out.ipynb"), kernel_name="python3", progress_bar=False,
            kernel_manager_class=kernels.ForkKernelManager)
        assert out.cells[0].outputs[0]["text"] == "clean\n"


def test_a_warm_kernel_has_what_every_notebook_needs_and_not_one_notebooks_stack(
        tmp_path, monkeypatch, zygote):
    """Charts' matplotlib and the map's folium and geopandas are each imported by the one
    kernel that uses them, in parallel with the others, not by the zygote before any kernel
    can start."""
    monkeypatch.setenv(ADDRESS, zygote.address)
    names = ("pandas", "analysis.trends", "analysis.maps", "matplotlib", "folium", "geopandas")
    path = probe_notebook(tmp_path, f"import sys\nprint([n in sys.modules for n in {names}])")
    out = papermill.execute_notebook(
        str(path), str(tmp_path / "out.ipynb"), kernel_name="python3", progress_bar=False,
        kernel_manager_class=kernels.ForkKernelManager)
    assert out.cells[0].outputs[0]["text"] == "[True, True, True, False, False, False]\n"


def test_an_unreachable_zygote_falls_back_to_a_plain_kernel(tmp_path, monkeypatch, capfd):
    monkeypatch.setenv(ADDRESS, str(tmp_path / "no-such-socket"))
    result = run_probe(probe_notebook(tmp_path), monkeypatch)
    assert result["warm"] is False and result["parent_is_asker"] is True
    assert "warm kernel unavailable" in capfd.readouterr().err


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().split(") ")[-1][0] != "Z"
    except FileNotFoundError:
        return False


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


# A worker: asks the zygote for a kernel, prints its pid, then waits to be killed.
ASKER = """\
import asyncio, sys
from analysis import kernels

async def main():
    km = kernels.ForkKernelManager(kernel_name="python3")
    await km.start_kernel()
    print(km.provisioner.pid, flush=True)
    await asyncio.sleep(600)

asyncio.run(main())
"""


def _start_asker(address: str) -> tuple[subprocess.Popen, int]:
    asker = subprocess.Popen([sys.executable, "-c", ASKER], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, ADDRESS: address})
    kernel = int(asker.stdout.readline())
    assert _alive(kernel)
    return asker, kernel


def test_a_killed_worker_takes_its_warm_kernel_along(zygote):
    asker, kernel = _start_asker(zygote.address)
    asker.kill()
    asker.wait()
    assert _gone_within(kernel, 10)


def test_stopping_the_zygote_stops_its_kernels():
    zygote = Zygote()
    asker, kernel = _start_asker(zygote.address)
    try:
        zygote.stop()
        assert _gone_within(kernel, 10)
        assert not Path(zygote.folder).exists()
    finally:
        asker.kill()
        asker.wait()


def _descendants(pid: int) -> set[int]:
    """Every living process below `pid`, read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text(encoding="ascii")
            except OSError:
                continue
            fields = stat.rsplit(") ", 1)[-1].split()
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[-1].split()[1])
    except OSError:
        return None


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def test_a_killed_run_leaves_no_process_behind(tmp_path):
    """SIGKILL the runner while kernels run: its fork server, workers, zygote and kernels go."""
    from conftest import copy_project

    root = copy_project(tmp_path / "p")
    runner = subprocess.Popen([sys.executable, "-m", "analysis", "--root", str(root), "run",
                               "--force"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # until the zygote has forked two kernels
            seen |= _descendants(runner.pid)
            zygotes = [p for p in seen if "analysis.zygote" in _cmdline(p)  # not its forks
                       and _parent(p) == runner.pid]
            if zygotes and len(_descendants(zygotes[0])) >= 2:
                break
            time.sleep(0.02)
        else:
            pytest.fail("the run never had two warm kernels at once")
        seen |= _descendants(runner.pid)
    finally:
        runner.kill()
        runner.wait()
    assert len(seen) >= 5  # fork server, two workers, zygote, kernels (and a resource tracker)
    assert all(_gone_within(p, 10) for p in seen), [_cmdline(p) for p in seen if _alive(p)]


def test_a_warm_kernel_runs_subprocesses_and_forks(tmp_path, monkeypatch, zygote):
    """The zygote ignores SIGCHLD to reap its kernels; a kernel must not inherit that, or
    `subprocess`, `!shell` lines and process pools in a notebook would lose their children."""
    monkeypatch.setenv(ADDRESS, zygote.address)
    path = probe_notebook(tmp_path, "import multiprocessing as mp, subprocess\n"
                                    "print(subprocess.run(['true']).returncode)\n"
                                    "with mp.get_context('fork').Pool(2) as p:\n"
                                    "    print(p.map(abs, [-1, -2]))\n"
                                    "!echo shell-ok")
    out = papermill.execute_notebook(str(path), str(tmp_path / "out.ipynb"),
                                     kernel_name="python3", progress_bar=False,
                                     kernel_manager_class=kernels.ForkKernelManager)
    text = "".join(o.get("text", "") for o in out.cells[0].outputs)
    assert text.replace("\r", "") == "0\n[1, 2]\nshell-ok\n"


def test_a_bad_request_does_not_kill_the_zygote(tmp_path, monkeypatch, zygote):
    import socket

    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as conn:
        conn.connect(zygote.address)
        conn.send(b"not json")
        assert conn.recv(4096) == b""  # dropped, no kernel
    monkeypatch.setenv(ADDRESS, zygote.address)
    assert run_probe(probe_notebook(tmp_path), monkeypatch)["warm"] is True


def _in_own_loop(coro):
    """asyncio.run in a thread of its own: the browser tests' Playwright keeps a loop running
    in the main thread for the whole session."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _ready_then(km: kernels.ForkKernelManager, kill_first: bool = False) -> dict:
    """Start a kernel, wait until the client says it is ready, run one line."""
    await km.start_kernel()
    kc = km.client()
    kc.start_channels()
    seen: list[dict] = []
    try:
        if kill_first:
            os.killpg(km.provisioner.pid, 9)
        await kc.wait_for_ready(timeout=30)
        reply = await kc.execute_interactive("print(6 * 7)", timeout=30, output_hook=seen.append)
        return {"client": type(kc).__name__, "status": reply["content"]["status"],
                "streams": [m["content"]["text"] for m in seen if m["msg_type"] == "stream"]}
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=True)


@pytest.mark.parametrize("warm", [True, False])
def test_the_client_is_ready_without_waiting_for_silence(monkeypatch, zygote, warm):
    """Ready once IOPub shows the idle status of its own kernel_info request, and then runs
    code with the right outputs (no status of the handshake taken for the code's)."""
    if warm:
        monkeypatch.setenv(ADDRESS, zygote.address)
    else:
        monkeypatch.delenv(ADDRESS, raising=False)
    got = _in_own_loop(_ready_then(kernels.ForkKernelManager(kernel_name="python3")))
    assert got == {"client": "ReadyClient", "status": "ok", "streams": ["42\n"]}


async def _retry_intervals(km: kernels.ForkKernelManager) -> dict:
    await km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=30)
        sockets = {"shell": kc.shell_channel.socket, "iopub": kc.iopub_channel.socket,
                   "control": km._control_socket}
        return {name: (s.getsockopt(zmq.RECONNECT_IVL), s.getsockopt(zmq.RECONNECT_IVL_MAX))
                for name, s in sockets.items()}
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=True)


def test_sockets_retry_a_kernel_not_yet_listening_after_5_ms(monkeypatch, zygote):
    """The client connects as soon as the kernel is forked, before the kernel listens: with
    ZeroMQ's 100 ms between retries each warm kernel was ready 0.1 s late. Backing off to
    100 ms: a kernel that is gone is not hammered."""
    monkeypatch.setenv(ADDRESS, zygote.address)
    got = _in_own_loop(_retry_intervals(kernels.ForkKernelManager(kernel_name="python3")))
    assert got == {"shell": (5, 100), "iopub": (5, 100), "control": (5, 100)}


def test_the_client_says_when_the_kernel_died_before_it_was_ready(monkeypatch, zygote):
    monkeypatch.setenv(ADDRESS, zygote.address)
    with pytest.raises(RuntimeError, match="Kernel died before replying to kernel_info"):
        _in_own_loop(_ready_then(kernels.ForkKernelManager(kernel_name="python3"),
                                 kill_first=True))


def test_the_fork_server_compiles_the_page_templates_once_for_all_workers():
    """Importing analysis.preload (the workers' fork server does) leaves a warm exporter."""
    code = ("from analysis import reports\n"
            "assert reports._exporter.cache_info().currsize == 0\n"
            "import analysis.preload\n"
            "print(reports._exporter.cache_info().currsize)")
    assert python(code).stdout.strip() == "1"


def test_a_worker_finds_the_kernel_spec_without_importing_anything():
    """Looking up the kernel's spec imported ipykernel's spec module and IPython's paths in
    each worker, between taking its first notebook and asking for a kernel: the fork server
    has done it once for all."""
    code = ("import sys\n"
            "import analysis.preload\n"
            "from jupyter_client.kernelspec import KernelSpecManager\n"
            "before = set(sys.modules)\n"
            "KernelSpecManager().get_kernel_spec('python3')\n"
            "print(sorted(set(sys.modules) - before))")
    assert python(code).stdout.strip() == "[]"


def test_the_fork_server_imports_papermill_and_nbconvert_without_unused_extras():
    """papermill imports pyarrow (and numpy) only for HDFS paths, bs4 (with nbconvert) imports
    soupsieve for CSS selectors: the workers use neither, and a cold run is short of CPU.
    Hidden while those are imported, not afterwards; bs4's warning about it is not shown."""
    code = ("import sys\n"
            "import analysis.preload\n"
            "print(sorted(m for m in ('papermill', 'nbconvert', 'bs4', 'pyarrow', 'numpy',\n"
            "                         'soupsieve') if m in sys.modules))\n"
            "from pyarrow.fs import HadoopFileSystem\n"
            "import soupsieve\n"
            "print(HadoopFileSystem.__module__, soupsieve.__name__)")
    out = python(code, "-W", "default")
    assert (out.stdout.splitlines(), out.stderr) == \
        (["['bs4', 'nbconvert', 'papermill']", "pyarrow._hdfs soupsieve"], "")


def test_socket_folders_of_killed_runs_are_swept_and_live_ones_kept():
    import shutil
    import socket
    import tempfile

    tmp = tempfile.mkdtemp(prefix="sweep-")  # short: a socket path has at most 107 bytes
    try:
        def folder(name: str, age: float, bound: bool = False):
            path = os.path.join(tmp, name)
            os.mkdir(path, 0o700)
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            sock.bind(os.path.join(path, "socket"))
            sock.listen(1)
            if not bound:  # a killed run: the file stays, nothing holds it
                sock.close()
            os.utime(path, (time.time() - age, time.time() - age))
            return sock

        folder(FOLDER_PREFIX + "killed", age=3600)
        live = folder(FOLDER_PREFIX + "live", age=3600, bound=True)
        folder(FOLDER_PREFIX + "starting", age=1)  # may not be bound yet
        folder("someone-else", age=3600)
        removed = sweep_stale(tmp)
        assert removed == [os.path.join(tmp, FOLDER_PREFIX + "killed")]
        assert sorted(os.listdir(tmp)) == [FOLDER_PREFIX + "live",
                                           FOLDER_PREFIX + "starting", "someone-else"]
        live.close()
    finally:
        shutil.rmtree(tmp)


def test_the_client_waits_for_a_kernel_slower_than_its_first_request(tmp_path, monkeypatch):
    """A kernel that takes longer than the client's 1-s wait answers every kernel_info it was
    sent, in order: the client must take the late replies, not chase them forever."""
    spec = tmp_path / "kernels" / "slow"
    spec.mkdir(parents=True)
    start = ("import sys, time; time.sleep(2.5); sys.argv[0] = 'ipykernel_launcher'; "
             "from ipykernel.kernelapp import launch_new_instance; launch_new_instance()")
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-c", start, "-f", "{connection_file}"],
        "display_name": "slow", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    monkeypatch.delenv(ADDRESS, raising=False)
    got = _in_own_loop(_ready_then(kernels.ForkKernelManager(kernel_name="slow")))
    assert got == {"client": "ReadyClient", "status": "ok", "streams": ["42\n"]}


@pytest.mark.parametrize(("status", "words"), [
    (0, None), (3 << 8, "exited with status 3"), (9, "was killed by signal SIGKILL"),
    (6, "was killed by signal SIGABRT"), (1 << 8, "exited with status 1")])
def test_how_a_kernel_ended_in_words(status, words):
    assert ending(status) == words


def test_a_hidden_module_fails_to_import_inside_the_block_only():
    """How the zygote and the fork server skip extras a package imports but we never use."""
    code = """
import sys
from analysis.zygote import hidden
with hidden("colorsys", "json"):  # json: already imported, left alone
    try:
        import colorsys
        inside = "imported"
    except ImportError:
        inside = "ImportError"
    import json
import colorsys
print(inside, colorsys.__name__, json.__name__, "colorsys" in sys.modules)
"""
    assert python("import json\n" + code).stdout == "ImportError colorsys json True\n"


def test_warm_kernels_have_no_debugger_but_can_import_debugpy(tmp_path, monkeypatch, zygote):
    """ipykernel's debugger is not loaded in the zygote (a report's kernel has no IDE
    attached); a notebook that imports debugpy itself still can."""
    path = probe_notebook(tmp_path, "import ipykernel.debugger as d, debugpy\n"
                                    "print(d._is_debugpy_available, debugpy.__name__)")
    monkeypatch.setenv(ADDRESS, zygote.address)
    papermill.execute_notebook(str(path), str(path), kernel_name="python3",
                               progress_bar=False, cwd=str(path.parent),
                               kernel_manager_class=kernels.ForkKernelManager)
    cell = nbformat.read(str(path), as_version=4).cells[0]
    assert [o["text"] for o in cell.outputs if o["output_type"] == "stream"] == \
        ["False debugpy\n"]
