"""Processes the kit started: their family, the sockets they listen on, and stopping them.

Everything here goes through psutil (no ``/proc`` parsing) and acts on a pid the kit
holds, never on a process name. A process started with ``start_new_session=True``
leads its own process group, so its *family* is

* its descendants (``psutil.Process.children(recursive=True)``), and
* any other member of its process group: a helper whose parent exited is re-parented
  (to init or a subreaper) and leaves the tree, but keeps the group id.

:func:`stop_process` stops the leader first (terminate, wait, kill), then whatever is
left of the family that was seen before the leader went (terminate, wait, kill).
psutil compares each process's start time before it signals, so a pid reused by a
newcomer is never signalled. Linux never hands out a pid still in use as a group id.

Example
-------
>>> proc = subprocess.Popen(["sleep", "60"], start_new_session=True)   # doctest: +SKIP
>>> stop_process(proc.pid, popen=proc).signals                         # doctest: +SKIP
('SIGTERM pid',)
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import psutil

from tipsim.emulator.guard import is_loopback
from tipsim.errors import EmulatorError

STOP_GRACE_S = 15.0


def _gone(proc: psutil.Process) -> bool:
    """True when ``proc`` has exited (a zombie waiting for another parent counts as gone)."""
    try:
        return not proc.is_running() or proc.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True
    except psutil.AccessDenied:
        return False


def pid_gone(pid: int) -> bool:
    """True when ``pid`` has exited (reaping it if it is our child)."""
    with contextlib.suppress(ChildProcessError, OSError):
        done, _status = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return True
    try:
        return _gone(psutil.Process(pid))
    except psutil.NoSuchProcess:
        return True


def group_members(pgid: int) -> list[psutil.Process]:
    """Live (non-zombie) processes whose process group is ``pgid``."""
    out = []
    for proc in psutil.process_iter():
        with contextlib.suppress(ProcessLookupError, PermissionError, psutil.Error):
            if os.getpgid(proc.pid) == pgid and not _gone(proc):
                out.append(proc)
    return out


def family(pid: int, pgid: int | None = None) -> list[psutil.Process]:
    """``pid``, its live descendants and (if ``pgid`` is given) the rest of its group."""
    try:
        root = psutil.Process(pid)
        members = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        members = []
    if pgid is not None:
        members += group_members(pgid)
    unique: dict[int, psutil.Process] = {}
    for proc in members:
        if not _gone(proc):
            unique.setdefault(proc.pid, proc)
    return [unique[p] for p in sorted(unique)]


def family_pids(pid: int, pgid: int | None = None) -> list[int]:
    """The pids of :func:`family`, sorted."""
    return [p.pid for p in family(pid, pgid)]


def rss_mb(procs: Iterable[psutil.Process]) -> float:
    """Resident memory of ``procs`` together, in MB."""
    total = 0
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            total += proc.memory_info().rss
    return total / 2**20


# ----------------------------------------------------------------------------- sockets
@dataclass(frozen=True)
class Listener:
    """A socket a process listens on (TCP) or is bound to (UDP)."""

    proto: str  # tcp, tcp6, udp, udp6
    address: str
    port: int
    pid: int

    @property
    def loopback(self) -> bool:
        return is_loopback(self.address)

    def __str__(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{self.proto} {host}:{self.port} (pid {self.pid})"


def listening_sockets(pids: Iterable[int]) -> list[Listener]:
    """TCP listening and UDP bound sockets owned by ``pids`` (``Process.net_connections``)."""
    out: list[Listener] = []
    for pid in pids:
        try:
            conns = psutil.Process(pid).net_connections(kind="inet")
        except psutil.Error:
            continue
        for conn in conns:
            if not conn.laddr:
                continue
            tcp = conn.type == socket.SOCK_STREAM
            if tcp and conn.status != psutil.CONN_LISTEN:
                continue
            proto = ("tcp" if tcp else "udp") + ("6" if conn.family == socket.AF_INET6 else "")
            out.append(Listener(proto, conn.laddr.ip, conn.laddr.port, pid))
    return out


def listens_on(pid: int, port: int) -> bool:
    """True when ``pid`` (or a descendant) holds a TCP listening socket on ``port``."""
    return any(s.port == port and s.proto.startswith("tcp")
               for s in listening_sockets(family_pids(pid)))


# ----------------------------------------------------------------------------- stopping
@dataclass(frozen=True)
class StopReport:
    """How a stop went: which signals were needed, and whether anything survived."""

    pid: int
    signals: tuple[str, ...]
    leftover_pids: tuple[int, ...]
    stop_s: float

    @property
    def clean(self) -> bool:
        """True when no process of the family is left."""
        return not self.leftover_pids


def _wait_until(done: Callable[[], bool], timeout_s: float, step_s: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() >= deadline:
            return False
        time.sleep(step_s)
    return True


def _refuse(pid: int, pgid: int | None) -> None:
    if pid <= 1 or pid == os.getpid():
        raise EmulatorError(f"refusing to stop pid {pid}: it is init or this process")
    if pgid is not None and (pgid <= 1 or pgid == os.getpgrp()):
        raise EmulatorError(f"refusing to signal process group {pgid}: it is not a group "
                            "the kit created")


def _signal_all(procs: list[psutil.Process], kill: bool) -> bool:
    """Terminate (or kill) every process of ``procs`` still running; True if one was sent."""
    sent = False
    for proc in procs:
        if not _gone(proc):
            with contextlib.suppress(psutil.NoSuchProcess):
                proc.kill() if kill else proc.terminate()
                sent = True
    return sent


def stop_process(pid: int, grace_s: float = STOP_GRACE_S, *, pgid: int | None = None,
                 popen: subprocess.Popen | None = None) -> StopReport:
    """Stop process ``pid`` and what it started: terminate, wait, kill; then its family.

    Parameters
    ----------
    pid
        A process the kit started.
    grace_s
        Seconds between SIGTERM and SIGKILL for ``pid``; half of it for the rest.
    pgid
        Its process group, when it leads one it was started in
        (``start_new_session=True`` makes it equal to ``pid``): helpers that left the
        tree are found by it.
    popen
        The ``Popen`` of ``pid`` when we have it: it then reaps the process and keeps
        its exit status.

    Raises
    ------
    EmulatorError
        If ``pid`` is init or this process, or ``pgid`` is 0, 1 or this process's group.
    """
    _refuse(pid, pgid)
    started = time.monotonic()
    sent: list[str] = []
    kin = [p for p in family(pid, pgid) if p.pid != pid]
    try:
        leader: psutil.Process | None = psutil.Process(pid)
    except psutil.NoSuchProcess:
        leader = None

    def leader_gone() -> bool:
        if popen is not None:
            return popen.poll() is not None
        return leader is None or pid_gone(pid)

    if leader is not None and not leader_gone():
        with contextlib.suppress(psutil.NoSuchProcess):
            leader.terminate()
            sent.append("SIGTERM pid")
        if not _wait_until(leader_gone, grace_s):
            with contextlib.suppress(psutil.NoSuchProcess):
                leader.kill()
                sent.append("SIGKILL pid")
            _wait_until(leader_gone, 5.0)
    # Helpers spawned while it shut down join the ones seen before.
    kin += [p for p in family(pid, pgid) if p.pid != pid and p not in kin]
    if _signal_all(kin, kill=False):
        sent.append("SIGTERM children")
        if not _wait_until(lambda: all(_gone(p) for p in kin), grace_s / 2):
            if _signal_all(kin, kill=True):
                sent.append("SIGKILL children")
            _wait_until(lambda: all(_gone(p) for p in kin), 5.0)
    left = sorted(p.pid for p in kin if not _gone(p))
    if leader is not None and not leader_gone():
        left.insert(0, pid)
    return StopReport(pid, tuple(sent), tuple(left), time.monotonic() - started)
