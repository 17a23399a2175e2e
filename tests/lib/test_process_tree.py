"""`aaw dev`'s process tree stops as a whole on SIGTERM, even when its leader ignores every signal."""

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil

# A stand-in for `dagster dev`: a leader that ignores SIGINT and SIGTERM (as a background job's leader does)
# with a child, a grandchild and a child that left the process group, each writing its pid to a file.
DUMMY_TREE = textwrap.dedent(
    """
    import os, signal, subprocess, sys, time
    pids = sys.argv[1]
    sleep = "import os, sys, time; open(sys.argv[1], 'a').write(f'{os.getpid()}\\\\n'); time.sleep(600)"
    sleeper = [sys.executable, "-c", sleep, pids]
    if len(sys.argv) > 2:  # a child that starts a grandchild of its own
        open(pids, "a").write(f"{os.getpid()}\\n")
        subprocess.Popen(sleeper)
        time.sleep(600)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    open(pids, "a").write(f"{os.getpid()}\\n")
    subprocess.Popen([sys.executable, __file__, pids, "nested"])
    subprocess.Popen(sleeper)
    subprocess.Popen(sleeper, start_new_session=True)
    time.sleep(600)
    """
)

SUPERVISOR = (
    "import sys; from orchestration.lib.process_tree import run_tree; sys.exit(run_tree(sys.argv[1:], grace=1))"
)


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _wait_for_pids(pid_file: Path, count: int) -> list[int]:
    for _ in range(300):
        pids = [int(line) for line in pid_file.read_text().split()] if pid_file.exists() else []
        if len(pids) >= count:
            return pids
        time.sleep(0.1)
    raise AssertionError(f"the dummy tree started only {pids}")


def test_sigterm_stops_the_whole_tree_even_when_its_leader_ignores_signals(tmp_path: Path):
    dummy, pid_file = tmp_path / "dummy_tree.py", tmp_path / "pids"
    dummy.write_text(DUMMY_TREE)
    supervisor = subprocess.Popen(
        [sys.executable, "-c", SUPERVISOR, sys.executable, str(dummy), str(pid_file)],
        cwd=Path(__file__).resolve().parents[2],
        start_new_session=True,  # like a background job: no terminal sends it anything
    )
    try:
        # the leader, the nested child, its sleeper, the leader's own sleeper and the detached one
        pids = _wait_for_pids(pid_file, 5)
        assert all(_alive(pid) for pid in pids)
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=60) == 128 + signal.SIGTERM
        tree = [*pids, *(process.pid for process in psutil.process_iter() if _runs(process, dummy))]
        assert not [pid for pid in tree if _alive(pid)]
    finally:
        for process in psutil.process_iter():
            if _runs(process, dummy) or _runs(process, pid_file):
                process.kill()


def _runs(process: psutil.Process, path: Path) -> bool:
    try:
        return str(path) in process.cmdline()
    except psutil.Error:
        return False


def test_a_command_that_exits_on_its_own_gives_its_exit_code_and_leaves_no_child(tmp_path: Path):
    from orchestration.lib.process_tree import run_tree

    pid_file = tmp_path / "pids"
    script = (
        "import subprocess, sys; subprocess.Popen([sys.executable, '-c', "
        "'import os, sys, time; open(sys.argv[1], \"w\").write(str(os.getpid())); time.sleep(600)', sys.argv[1]]); "
        "import time; time.sleep(1); sys.exit(3)"
    )
    assert run_tree([sys.executable, "-c", script, str(pid_file)], grace=1) == 3
    assert not _alive(int(pid_file.read_text()))
