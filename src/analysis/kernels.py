"""The kernel manager's side of warm kernels: what papermill is given in each worker.

`ForkKernelManager` (papermill's `kernel_manager_class`) has a provisioner that asks the
run's zygote (`analysis.zygote`) for a kernel and falls back to jupyter_client's normal
launch whenever the zygote is absent, unreachable, or the kernel spec is not this
interpreter's ipykernel; a client that is ready without jupyter_client's 0.2 s of silence;
kernels on Unix sockets; sockets that find a kernel as soon as it listens; and `kill_all`,
how a notebook past its time limit is stopped.
"""

from __future__ import annotations

import contextlib
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
import weakref
from pathlib import Path
from queue import Empty
from typing import Any, ClassVar

import zmq
import zmq.asyncio
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import CaselessStrEnum, DottedObjectName, Type, default

from analysis.zygote import ADDRESS, FOLDER_PREFIX, LAUNCHER


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
            raise subprocess.TimeoutExpired(LAUNCHER, timeout or 0)
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
        at = cmd.index(LAUNCHER)
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


def quick_context() -> zmq.asyncio.Context:
    """A ZeroMQ context whose sockets retry a connection after 5 ms, not ZeroMQ's 100 ms.

    The client connects as soon as the kernel is forked, before the kernel has bound its
    sockets (~30 ms later): each refused connection was then retried only 0.1 s later, and
    a warm kernel was ready after 0.13–0.19 s instead of ~0.06 s, on every notebook's start.
    The interval doubles after each refusal up to 0.1 s: a kernel that is gone is not
    hammered.
    """
    context = zmq.asyncio.Context()
    context.setsockopt(zmq.RECONNECT_IVL, 5)
    context.setsockopt(zmq.RECONNECT_IVL_MAX, 100)
    return context


class ReadyClient(AsyncKernelClient):
    """jupyter_client's client, but ready as soon as IOPub shows the kernel_info's idle status.

    jupyter_client's `wait_for_ready` ends by reading IOPub until it has been silent for
    0.2 s: on every kernel start, 0.2 s of nothing (a tenth of a cold run's critical path,
    paid again by each notebook a worker runs). The idle status that answers our own
    kernel_info request is the same proof that IOPub is connected, without the wait.
    """

    @default("context")
    def _context_default(self) -> zmq.asyncio.Context:
        self._created_context = True  # destroyed with the client, as jupyter_client's is
        return quick_context()

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

    @default("context")
    def _context_default(self) -> zmq.asyncio.Context:  # its control socket: shutdown
        self._created_context = True
        return quick_context()

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
