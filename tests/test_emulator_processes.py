"""Stopping what the kit started, by pid, and listing the sockets it holds (psutil).

Dummy processes stand in for LocalStack, JupyterLab or the shared emulator: a polite
one, a stubborn one that ignores SIGTERM, one whose helper outlives it, and one whose
helper left the process tree before the stop began (found by its group only).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import pytest

from tipsim.emulator import processes
from tipsim.errors import EmulatorError


def spawn_group(script: str) -> tuple[subprocess.Popen, list[int]]:
    """Start ``script`` in its own session; it prints pids it wants watched, one a line."""
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            start_new_session=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()  # "ready pid pid ..."
    assert line.startswith("ready"), line
    return proc, [int(x) for x in line.split()[1:]]


IGNORE_TERM = "import signal; signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
GRANDCHILD = ("import subprocess, sys, time\n"
              "child = subprocess.Popen([sys.executable, '-c', {code!r}])\n")
SLEEP = "import time; print('ready', flush=True); time.sleep(60)"


def alive(pid: int) -> bool:
    return not processes.pid_gone(pid)


def test_a_polite_process_stops_on_sigterm_alone() -> None:
    """SIGTERM to the pid is enough for a process that honours it; nothing else is sent."""
    proc, _ = spawn_group(SLEEP)
    report = processes.stop_process(proc.pid, grace_s=5.0, pgid=proc.pid, popen=proc)
    assert report.signals == ("SIGTERM pid",) and report.clean
    assert proc.returncode == -signal.SIGTERM


def test_a_stubborn_process_and_its_helper_are_killed_after_the_grace_period() -> None:
    """Leader and its child both ignore SIGTERM: each gets SIGKILL after the grace period."""
    helper = IGNORE_TERM + "import time; time.sleep(60)"
    script = (IGNORE_TERM + GRANDCHILD.format(code=helper)
              + "time.sleep(0.3); print('ready', child.pid, flush=True); time.sleep(60)")
    proc, (child,) = spawn_group(script)
    assert alive(child)
    assert processes.family_pids(proc.pid) == sorted([proc.pid, child])
    report = processes.stop_process(proc.pid, grace_s=0.5, pgid=proc.pid, popen=proc)
    assert report.signals == ("SIGTERM pid", "SIGKILL pid", "SIGTERM children",
                              "SIGKILL children")
    assert report.clean and not alive(child) and proc.returncode == -signal.SIGKILL


def test_a_helper_left_behind_by_the_leader_is_stopped_too() -> None:
    """The leader exits on SIGTERM, its child does not notice: the child is stopped next."""
    script = (GRANDCHILD.format(code="import time; time.sleep(60)")
              + "time.sleep(0.3); print('ready', child.pid, flush=True); time.sleep(60)")
    proc, (child,) = spawn_group(script)
    report = processes.stop_process(proc.pid, grace_s=5.0, pgid=proc.pid, popen=proc)
    assert report.signals == ("SIGTERM pid", "SIGTERM children")
    assert report.clean and not alive(child)


def test_a_helper_that_left_the_tree_is_found_by_its_process_group() -> None:
    """A middle process starts a helper and exits: the helper is re-parented out of the
    leader's tree, but keeps the group id the leader's session gave it."""
    orphan = "import time; time.sleep(60)"
    middle = ("import subprocess, sys; p = subprocess.Popen([sys.executable, '-c', "
              f"{orphan!r}], stdout=subprocess.DEVNULL, "
              "stderr=subprocess.DEVNULL); print(p.pid, flush=True)")
    script = ("import subprocess, sys, time\n"
              f"out = subprocess.run([sys.executable, '-c', {middle!r}], capture_output=True,"
              " text=True).stdout\n"
              "print('ready', out.strip(), flush=True); time.sleep(60)")
    proc, (helper,) = spawn_group(script)
    assert helper not in processes.family_pids(proc.pid)  # not in the tree any more
    assert helper in processes.family_pids(proc.pid, pgid=proc.pid)
    report = processes.stop_process(proc.pid, grace_s=5.0, pgid=proc.pid, popen=proc)
    assert report.clean and not alive(helper)
    assert report.signals == ("SIGTERM pid", "SIGTERM children")


def test_a_process_outside_the_family_is_left_alone() -> None:
    """Stopping one process never signals another, even one started the same way."""
    target, _ = spawn_group(SLEEP)
    bystander, _ = spawn_group(SLEEP)
    try:
        assert processes.stop_process(target.pid, grace_s=5.0, pgid=target.pid,
                                      popen=target).clean
        assert bystander.poll() is None and alive(bystander.pid)
    finally:
        processes.stop_process(bystander.pid, grace_s=5.0, popen=bystander)
    assert bystander.returncode == -signal.SIGTERM


def test_stopping_a_process_that_already_exited_sends_nothing() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"], start_new_session=True)
    proc.wait(30)
    report = processes.stop_process(proc.pid, grace_s=1.0, pgid=proc.pid, popen=proc)
    assert report.signals == () and report.clean


def test_refuses_to_stop_init_this_process_or_to_signal_our_own_group() -> None:
    """Only a process the kit started may be stopped, never the caller, its group or init."""
    for pid, pgid in ((os.getpid(), None), (1, None), (12345678, os.getpgrp()),
                      (12345678, 1), (12345678, 0)):
        with pytest.raises(EmulatorError, match="refusing"):
            processes.stop_process(pid, pgid=pgid)


def test_listening_sockets_lists_tcp_listeners_and_bound_udp_but_not_connections() -> None:
    """Sockets come from psutil's per-process connection table, with their owner's pid."""
    with socket.socket() as tcp, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        tcp.bind(("127.0.0.1", 0))
        tcp.listen()
        udp.bind(("127.0.0.1", 0))
        tcp_port, udp_port = tcp.getsockname()[1], udp.getsockname()[1]
        with socket.create_connection(("127.0.0.1", tcp_port)) as client:
            client_port = client.getsockname()[1]
            found = processes.listening_sockets([os.getpid()])
        mine = {(s.proto, s.address, s.port, s.pid) for s in found}
        assert ("tcp", "127.0.0.1", tcp_port, os.getpid()) in mine
        assert ("udp", "127.0.0.1", udp_port, os.getpid()) in mine
        assert client_port not in {s.port for s in found}  # a connection, not a listener
        assert all(s.loopback for s in found if s.port in (tcp_port, udp_port))
        assert processes.listens_on(os.getpid(), tcp_port)
        assert not processes.listens_on(os.getpid(), udp_port)
    assert not processes.Listener("tcp", "0.0.0.0", 53, 1).loopback
    assert not processes.Listener("udp6", "::", 53, 1).loopback
    assert str(processes.Listener("tcp6", "::1", 4566, 7)) == "tcp6 [::1]:4566 (pid 7)"


def test_memory_of_a_family_adds_up_its_processes() -> None:
    """A Python child holds some MB; with this process too, the total grows."""
    proc, _ = spawn_group(SLEEP)
    try:
        child_mb = processes.rss_mb(processes.family(proc.pid))
        both_mb = processes.rss_mb(processes.family(proc.pid) + processes.family(os.getpid()))
        assert 1.0 < child_mb < both_mb
    finally:
        processes.stop_process(proc.pid, grace_s=5.0, popen=proc)
