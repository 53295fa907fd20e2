"""The zygote: one process per run that imports what every notebook needs, then forks
each notebook's kernel.

A plain ipykernel costs ~0.5 s of CPU to start, and each of our notebooks then spent
~0.6 s importing pandas and the library: on 2 cores that was a third of a cold `analysis
run`. The runner starts one zygote per run, which imports that once and then, for each kernel
the pool asks for (`analysis.kernels`), forks a child that becomes an ordinary ipykernel with
the connection file jupyter_client wrote. Each kernel is still its own process and its own
process group (interrupted, timed out and killed like any other), reads the data itself, and
dies with the zygote, which dies with the runner.

The zygote imports only what *every* notebook needs (`PRELOAD`). A stack one notebook needs
(matplotlib for the charts, folium and geopandas for the map) is imported by that notebook's
kernel: no notebook imports it twice, and the kernels import theirs in parallel, on every
core, where the zygote imported them one after another before any kernel could start
(measured: the kernels started 0.5 s sooner, the run ended ~0.3 s sooner).

ipykernel's debugger is not imported (`hidden`): debugpy, 0.06 s on the zygote's path to
its first fork, serves an IDE attached to a live kernel, which a report's kernel never has;
its kernels answer `debugger: false`, and a notebook can still import debugpy itself.

This module imports no jupyter_client (the kernel manager's side does): the runner starts
the zygote before paying for it.
"""

from __future__ import annotations

import contextlib
import faulthandler
import gc
import importlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator

# What every notebook imports (and what ipykernel imports to start), loaded once.
PRELOAD = (
    "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger", "IPython.display",
    "numpy", "pandas", "pyarrow",
    "analysis.ledger", "analysis.views", "analysis.compare", "analysis.policies",
    "analysis.maps", "analysis.trends",
)
FOLDER_PREFIX = "analysis-kernels-"  # temporary folders: a run's zygote socket, a kernel's
ADDRESS = "ANALYSIS_KERNELS"  # environment variable: the zygote's socket, set for workers
LAUNCHER = "ipykernel_launcher"
# A kernel's collector runs after 10,000 new objects instead of 700: a report builds many
# short-lived ones (chart artists, frames, map elements) and its collections took ~5% of
# its CPU (the trends and map notebooks: 0.1 CPU-s of 1.8). One notebook, then it exits.
KERNEL_GC = (10_000, 10, 10)
UNUSED = ("debugpy",)  # what the zygote's imports would pull in for nothing (see above)


@contextlib.contextmanager
def hidden(*names: str) -> Iterator[None]:
    """Modules that cannot be imported inside the block, and can be again after it.

    For an optional extra that a package imports at once but that our use of it never
    touches: the package takes it as not installed (ImportError) and goes on without it.
    """
    added = [name for name in names if name not in sys.modules]
    for name in added:
        sys.modules[name] = None  # type: ignore[assignment]  # import → ImportError
    try:
        yield
    finally:
        for name in added:
            if sys.modules.get(name, ...) is None:
                del sys.modules[name]


class Zygote:
    """The zygote of one run: started by the runner, stopped (with its kernels) at the end."""

    def __init__(self) -> None:
        sweep_stale()
        self.folder = tempfile.mkdtemp(prefix=FOLDER_PREFIX)  # 0700: only us
        self.address = os.path.join(self.folder, "socket")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        listener.bind(self.address)
        listener.listen(16)  # clients may connect (and wait) while the zygote still imports
        self.process = subprocess.Popen(
            [sys.executable, "-m", "analysis.zygote", str(listener.fileno()),
             str(os.getpid())],
            pass_fds=[listener.fileno()], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        listener.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Zygote:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def sweep_stale(tmp: str | None = None, older_than: float = 60.0) -> list[str]:
    """Remove the socket folders of runs that were killed (SIGKILL skips `Zygote.stop`).

    A folder (a zygote's, or a kernel's sockets) goes when it is ours, over a minute old, and
    no socket in it is bound by any process (the kernel's list of Unix sockets,
    /proc/net/unix): a live run's folders are never touched, and nothing is ever connected
    to just to see if it answers.
    """
    tmp = tmp or tempfile.gettempdir()
    now, removed, bound = time.time(), [], None
    with contextlib.suppress(OSError), os.scandir(tmp) as entries:
        for entry in entries:
            if not entry.name.startswith(FOLDER_PREFIX):
                continue
            with contextlib.suppress(OSError):
                st = entry.stat(follow_symlinks=False)
                if (not entry.is_dir(follow_symlinks=False) or st.st_uid != os.getuid()
                        or now - st.st_mtime < older_than):
                    continue
                if bound is None:
                    bound = _bound_unix_sockets()
                if not any(path.startswith(entry.path + os.sep) for path in bound):
                    shutil.rmtree(entry.path, ignore_errors=True)
                    removed.append(entry.path)
    return removed


def _bound_unix_sockets() -> set[str]:
    with open("/proc/net/unix", encoding="utf-8", errors="replace") as fh:
        next(fh)  # header: Num RefCount Protocol Flags Type St Inode Path
        return {fields[7] for line in fh if len(fields := line.split()) >= 8}


def serve(listener_fd: int, runner_pid: int) -> None:
    """The zygote's loop: import, then fork one kernel per request, forever."""
    _die_with_parent()
    if os.getppid() != runner_pid:  # the runner died before we could follow it
        os._exit(0)
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]  # as ipykernel_launcher does; the kernel adds '' back
    # ipykernel sets this before the kernel's matplotlib is imported; ours is imported here.
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    with hidden(*UNUSED):
        for name in PRELOAD:
            with contextlib.suppress(Exception):  # a missing extra only makes its kernel slower
                importlib.import_module(name)
    # What was imported stays: out of the collector's sight, so that kernels neither scan it
    # (a full collection walks every object) nor copy its pages by touching their headers.
    gc.freeze()
    gc.set_threshold(*KERNEL_GC)  # inherited by every kernel
    signal.signal(signal.SIGCHLD, _reap)
    listener = socket.socket(fileno=listener_fd)
    while True:
        conn, _ = listener.accept()
        try:
            _serve_one(listener, conn)
        except Exception:  # noqa: BLE001 - one bad request (closed early, truncated, not
            pass  # JSON) is dropped; its worker then starts a plain kernel, the zygote lives on
        finally:
            conn.close()


def _serve_one(listener: socket.socket, conn: socket.socket) -> None:
    credentials = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)
    client = int.from_bytes(credentials[0:4], sys.byteorder)  # the worker asking
    if int.from_bytes(credentials[4:8], sys.byteorder) != os.getuid():
        return
    message, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
    # No reaping between the fork and noting the kernel's log: it could die that soon.
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
    try:
        request = json.loads(message)
        pid = os.fork()
        if pid == 0:
            try:
                signal.pthread_sigmask(signal.SIG_SETMASK, mask)
                for fd in _LOGS.values():  # other kernels' logs are not this one's business
                    os.close(fd)
                listener.close()
                conn.close()
                _become_kernel(request, fds, client)
            except BaseException:  # noqa: BLE001 - say why in the kernel's log, then exit
                traceback.print_exc()
                sys.stderr.flush()
            finally:
                os._exit(1)
        if fds:
            _LOGS[pid] = os.dup(fds[-1])  # the kernel's stderr: its log
        pidfd = os.pidfd_open(pid)  # before it can be reaped: a zombie still has its pidfd
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        try:
            socket.send_fds(conn, [json.dumps({"pid": pid}).encode()], [pidfd])
        finally:
            os.close(pidfd)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        for fd in fds:
            os.close(fd)


_LOGS: dict[int, int] = {}  # in the zygote: kernel pid → a descriptor of the kernel's log


def _reap(signum: int = 0, frame: object = None) -> None:
    """Collect the zygote's exited kernels; write in a kernel's log how it ended unless it
    exited cleanly (killed by a signal, the out-of-memory killer's SIGKILL among them)."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        fd = _LOGS.pop(pid, None)
        if fd is None:
            continue
        ended = ending(status)
        with contextlib.suppress(OSError):
            if ended:
                os.write(fd, f"{ENDED} (pid {pid}) {ended}\n".encode())
        os.close(fd)


ENDED = "analysis: the kernel"  # how the zygote's line in a kernel's log begins


def ending(status: int) -> str | None:
    """How a process with wait status `status` ended, in words; None for a clean exit."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        return f"was killed by signal {name}"
    code = os.waitstatus_to_exitcode(status)
    return f"exited with status {code}" if code else None


def _become_kernel(request: dict, fds: list[int], client: int) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.setsid()  # its own session and group, as jupyter_client's launcher gives a kernel
    _die_with_parent()
    exit_with(client)
    for target, fd in zip((1, 2), fds, strict=False):
        os.dup2(fd, target)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    faulthandler.enable()  # a kernel that crashes says where, in its log (the worker's stderr)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = [LAUNCHER, *request["arguments"]]
    from ipykernel.kernelapp import IPKernelApp

    # its class default read JPY_PARENT_PID when the zygote imported it: set it again
    app = IPKernelApp.instance(parent_handle=int(os.environ.get("JPY_PARENT_PID") or 0))
    app.initialize(request["arguments"])
    app.start()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def exit_with(pid: int) -> None:
    """Exit as soon as process `pid` exits, whoever our parent is: a warm kernel follows the
    worker that asked for it (its parent is the zygote), a worker follows the runner (its
    parent is multiprocessing's fork server)."""
    import threading

    try:
        pidfd = os.pidfd_open(pid)
    except OSError:
        os._exit(1)

    def watch() -> None:
        select.select([pidfd], [], [])
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="analysis-exit-with").start()


def _die_with_parent() -> None:
    """Linux: get SIGKILL when the parent dies, so nothing outlives a killed run."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]))
