"""Warm kernels: each notebook's kernel is forked from one process that imported the stack.

A plain ipykernel costs ~0.5 s of CPU to start, and each of our notebooks then spends
~0.6 s importing pandas, geopandas, matplotlib and folium: on 2 cores that was a third of a
cold `analysis run`. The runner starts one *zygote* per run, which imports all of that once
and then, for each kernel the pool asks for, forks a child that becomes an ordinary ipykernel
with the connection file jupyter_client wrote. Each kernel is still its own process and its
own process group (interrupted, timed out and killed like any other), reads the data itself,
and dies with the zygote, which dies with the runner.

`ForkKernelManager` is what papermill is given (`kernel_manager_class`): its provisioner asks
the zygote for a kernel and falls back to jupyter_client's normal launch whenever the zygote
is absent, unreachable, or the kernel spec is not this interpreter's ipykernel.
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
import weakref
from pathlib import Path
from queue import Empty
from typing import Any, ClassVar

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import CaselessStrEnum, DottedObjectName, Type

# What the notebooks import (and what ipykernel imports to start), loaded once in the zygote.
PRELOAD = (
    "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger", "IPython.display",
    "matplotlib_inline",
    "numpy", "pandas", "pyarrow", "shapely", "pyproj", "pyogrio", "geopandas",
    "matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg",
    "branca", "folium", "jinja2",
    "analysis.ledger", "analysis.views", "analysis.compare", "analysis.policies",
    "analysis.maps", "analysis.trends",
)
FOLDER_PREFIX = "analysis-kernels-"  # temporary folders: a run's zygote socket, a kernel's
ADDRESS = "ANALYSIS_KERNELS"  # environment variable: the zygote's socket, set for workers
_LAUNCHER = "ipykernel_launcher"


# ---- the zygote ------------------------------------------------------------------------


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
            [sys.executable, "-m", "analysis.kernels", str(listener.fileno()),
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
    for name in PRELOAD:
        with contextlib.suppress(Exception):  # a missing extra only makes its kernel slower
            importlib.import_module(name)
    # What was imported stays: out of the collector's sight, so that kernels neither scan it
    # (a full collection walks every object) nor copy its pages by touching their headers.
    gc.freeze()
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
    sys.argv = [_LAUNCHER, *request["arguments"]]
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


# ---- the kernel manager's side -----------------------------------------------------------


class ForkedKernel:
    """The bits of `subprocess.Popen` that jupyter_client's LocalProvisioner uses."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int, pidfd: int) -> None:
        self.pid = pid
        self._pidfd = pidfd
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self._pidfd], [], [], 0)[0]:
            # Reaped by the zygote, which writes in the kernel's log how it ended.
            self.returncode = 0
            os.close(self._pidfd)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            select.select([self._pidfd], [], [], timeout)
        if self.poll() is None:
            raise subprocess.TimeoutExpired(_LAUNCHER, timeout or 0)
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _fork_request(address: str, cmd: list[str], env: dict, cwd: str) -> ForkedKernel | None:
    """Ask the zygote for a kernel; None when this command is not one it can fork."""
    try:
        at = cmd.index(_LAUNCHER)
    except ValueError:
        return None
    if at < 2 or cmd[at - 1] != "-m" or shutil.which(cmd[0]) is None or \
            os.path.realpath(shutil.which(cmd[0]) or "") != os.path.realpath(sys.executable):
        return None
    message = json.dumps({"arguments": cmd[at + 1:], "env": env, "cwd": cwd}).encode()
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as conn:
        conn.settimeout(60)
        conn.connect(address)
        sys.stdout.flush()
        sys.stderr.flush()
        socket.send_fds(conn, [message], [1, 2])
        reply, fds, _, _ = socket.recv_fds(conn, 4096, 1)
    if not reply or not fds:
        return None
    return ForkedKernel(json.loads(reply)["pid"], fds[0])


class ForkProvisioner(LocalProvisioner):
    """LocalProvisioner whose kernel process comes from the zygote when there is one."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        address = os.environ.get(ADDRESS)
        env = {k: v for k, v in (kwargs.get("env") or os.environ).items() if k != ADDRESS}
        kwargs["env"] = env  # a notebook that runs `analysis run` starts its own zygote
        env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's launcher sets it
        kernel = None
        if address:
            try:
                kernel = _fork_request(address, cmd, env, str(kwargs.get("cwd") or os.getcwd()))
            except (OSError, ValueError, KeyError) as exc:
                print(f"analysis: warm kernel unavailable ({exc}); starting a plain one",
                      file=sys.stderr)
        if kernel is None:
            return await super().launch_kernel(cmd, **kwargs)
        self.process = kernel
        self.pid = self.pgid = kernel.pid
        self.cwd = kwargs.get("cwd", Path.cwd())
        return self.connection_info


class ReadyClient(AsyncKernelClient):
    """jupyter_client's client, but ready as soon as IOPub shows the kernel_info's idle status.

    jupyter_client's `wait_for_ready` ends by reading IOPub until it has been silent for
    0.2 s: on every kernel start, 0.2 s of nothing (a tenth of a cold run's critical path,
    paid again by each notebook a worker runs). The idle status that answers our own
    kernel_info request is the same proof that IOPub is connected, without the wait.
    """

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        idle: set[str] = set()  # the requests whose idle status IOPub has shown
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            # The reply may answer an earlier request (a kernel slower than 1 s to start
            # answers them all, in order), and IOPub may have shown later requests' statuses
            # already, or missed the first ones (not yet subscribed): ready once both the
            # reply and the idle status of one same request have come.
            if (reply is not None and reply["msg_type"] == "kernel_info_reply"
                    and await self._idle_after(reply["parent_header"].get("msg_id"), idle)):
                self._handle_kernel_info_reply(reply)
                return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    async def _idle_after(self, msg_id: str, idle: set[str]) -> bool:
        """Read IOPub until `msg_id`'s idle status, noting every idle status on the way;
        False if IOPub falls silent first (then ask again, which is cheap)."""
        while msg_id not in idle:
            try:
                msg = await self.iopub_channel.get_msg(timeout=0.05)
            except Empty:
                return False
            if msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle":
                idle.add(msg["parent_header"].get("msg_id"))
        return True


class ForkKernelManager(AsyncKernelManager):
    """nbclient's kernel manager, with the zygote-aware provisioner and the quicker client."""

    client_class = DottedObjectName("analysis.kernels.ReadyClient")
    client_factory = Type(klass=ReadyClient)
    started: ClassVar[weakref.WeakSet] = weakref.WeakSet()  # see `for_one_task`
    # Unix sockets in a 0700 folder of the kernel's own, not TCP ports. A port that
    # jupyter_client found free can be taken before the kernel binds it (by any process's
    # outgoing connection: two workers starting kernels make many), and the kernel then dies
    # at its start ("Address already in use"): seen about once in fifty runs under load.
    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)
    _sockets: str | None = None  # that folder

    @classmethod
    def for_one_task(cls) -> type[ForkKernelManager]:
        """A subclass whose `started` holds only the kernels of one task: `kill_all` stops
        those and not a sibling task's (a Dask worker runs several at once)."""
        return type(cls.__name__, (cls,), {"started": weakref.WeakSet()})

    async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:
        type(self).started.add(self)
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or _new_id()
            self.provisioner = ForkProvisioner(kernel_id=self.kernel_id,
                                               kernel_spec=self.kernel_spec, parent=self)
        if self.transport == "ipc" and self._sockets is None:
            self._sockets = tempfile.mkdtemp(prefix=FOLDER_PREFIX)
            self.ip = os.path.join(self._sockets, "kernel")  # sockets kernel-1 … kernel-5
        return await super()._async_pre_start_kernel(**kw)

    async def _async_finish_shutdown(self, waittime: float | None = None,
                                     pollinterval: float = 0.1, restart: bool = False) -> None:
        """Wait for the kernel to exit after its shutdown request, looking every 5 ms, not
        every 100 ms: it exits within a few ms, and each notebook waited the full 0.1 s,
        twice on the path of a worker that runs two. Past the wait time it is still
        terminated, then killed, as jupyter_client does."""
        await super()._async_finish_shutdown(waittime, pollinterval=0.005, restart=restart)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart and self._sockets is not None:
            shutil.rmtree(self._sockets, ignore_errors=True)
            self._sockets = None


def kill_all(managers: type[ForkKernelManager]) -> int:
    """Kill (with their process groups) the kernels `managers` started that still run: how a
    notebook that outlives its time limit is stopped, whatever it is doing."""
    killed = 0
    for km in list(managers.started):
        process = getattr(km.provisioner, "process", None)
        if process is None or process.poll() is not None:
            continue
        with contextlib.suppress(OSError):
            os.killpg(process.pid, signal.SIGKILL)  # the kernel leads its own group
            killed += 1
        with contextlib.suppress(OSError):
            process.kill()
    return killed


def _new_id() -> str:
    import uuid

    return str(uuid.uuid4())


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]))
