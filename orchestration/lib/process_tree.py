"""Run a long-lived command (`dagster dev`) as a process tree that stops as a whole.

`dagster dev` starts a webserver, a daemon and code servers. Started in the background its SIGINT is
ignored (a shell's background job inherits SIG_IGN), it does not act on SIGTERM, and a kill of its pid
alone leaves the children serving. So the command runs in its own session, SIGTERM, SIGINT and SIGHUP are
forwarded to it as the Ctrl-C it understands, and whatever of its tree is still alive after a grace
period (or after it exits on its own) is terminated, then killed.
"""

import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence

import psutil

FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
POLL_SECONDS = 0.2


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _descendants(root: psutil.Process) -> list[psutil.Process]:
    try:
        return root.children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _session_members(session: int) -> list[psutil.Process]:
    """Processes still in the command's session: its orphaned descendants no longer hang below it."""
    members = []
    for process in psutil.process_iter():
        try:
            if process.pid != os.getpid() and os.getsid(process.pid) == session:
                members.append(process)
        except (ProcessLookupError, PermissionError, psutil.Error):
            continue
    return members


def stop_all(processes: Sequence[psutil.Process], grace: float) -> list[int]:
    """SIGTERM every process still alive, wait up to `grace` seconds, SIGKILL the rest; the pids killed."""
    alive = [process for process in processes if _alive(process)]
    for process in alive:
        try:
            process.terminate()
        except psutil.NoSuchProcess:
            continue
    _, remaining = psutil.wait_procs(alive, timeout=grace)
    for process in remaining:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            continue
    psutil.wait_procs(remaining, timeout=grace)
    return [process.pid for process in remaining]


def run_tree(
    command: Sequence[str], env: Mapping[str, str] | None = None, grace: float = 15.0, interrupt=signal.SIGINT
) -> int:
    """Run `command` until it exits or this process gets SIGTERM, SIGINT or SIGHUP; then stop its whole tree.

    A signal is forwarded to the command as `interrupt`; the command then has `grace` seconds to stop its
    children itself before every process left of its tree is terminated. Returns the command's exit code,
    or 128 + the signal's number when a signal stopped it.
    """
    received: list[int] = []

    def forward(signum: int, _frame) -> None:
        received.append(signum)

    previous = {signum: signal.signal(signum, forward) for signum in FORWARDED}
    try:
        # handlers installed before the fork: the child starts with default dispositions, never SIG_IGN
        child = subprocess.Popen(list(command), env=dict(env) if env is not None else None, start_new_session=True)
        root = psutil.Process(child.pid)
        known: dict[int, psutil.Process] = {}
        deadline = None
        while child.poll() is None:
            known.update((process.pid, process) for process in _descendants(root))
            if received and deadline is None:
                os.killpg(child.pid, interrupt)  # as Ctrl-C does: the whole group
                deadline = time.monotonic() + grace
            if deadline is not None and time.monotonic() > deadline:
                break
            time.sleep(POLL_SECONDS)
        known.update((process.pid, process) for process in _descendants(root))
        stop_all([*known.values(), *_session_members(child.pid), root], grace)
        child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 128 + received[0] if received else child.returncode
