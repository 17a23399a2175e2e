"""Measuring a child process: wall time, CPU time and peak memory summed over its whole process tree
(sampled through /proc), and the machine the figures were taken on."""

import os
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from orchestration.lib.workspace import REPO_ROOT

GIB = 1024**3
SAMPLE_SECONDS = 0.2


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                text = stat.read()
        except OSError:
            continue
        # the command name may hold spaces or parentheses: fields start after the last ')'
        ppid = int(text[text.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_rss(root: int) -> tuple[int, int, int]:
    """(RSS summed over `root` and its descendants, the largest single process's RSS, process count)."""
    children = _children_map()
    total, largest, count, stack = 0, 0, 0, [root]
    while stack:
        pid = stack.pop()
        rss = _rss_bytes(pid)
        total, largest, count = total + rss, max(largest, rss), count + 1
        stack.extend(children.get(pid, ()))
    return total, largest, count


@dataclass
class Measured:
    label: str
    command: list[str]
    wall_seconds: float = 0.0
    peak_rss_bytes: int = 0
    peak_single_process_rss_bytes: int = 0
    max_processes: int = 0
    returncode: int | None = None
    cpu_seconds: float = 0.0  # user + system CPU of the child and every descendant it waited for
    max_rss_rusage_bytes: int = 0  # getrusage's ru_maxrss: the largest single process of the tree
    started_at: float = 0.0  # epoch seconds
    ended_at: float = 0.0
    load_average_before: list[float] = field(default_factory=list)
    load_average_after: list[float] = field(default_factory=list)
    log: str = ""

    @property
    def peak_rss_gib(self) -> float:
        return self.peak_rss_bytes / GIB

    def figures(self) -> dict:
        figures = asdict(self)
        figures["peak_rss_gib"] = round(self.peak_rss_gib, 3)
        figures["wall_seconds"] = round(self.wall_seconds, 2)
        figures["cpu_seconds"] = round(self.cpu_seconds, 2)
        figures["success"] = self.returncode == 0
        return figures


def measure(label: str, command: list[str], log: Path, env: dict[str, str] | None = None) -> Measured:
    """Run `command` as a child process; wall time and peak RSS of its process tree (sampled every 0.2 s)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    result = Measured(label, [str(part) for part in command], log=str(log))
    result.load_average_before = [round(value, 2) for value in os.getloadavg()]
    with log.open("wb") as output:
        result.started_at = time.time()
        start = time.perf_counter()
        child = subprocess.Popen(
            result.command, cwd=REPO_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        done = threading.Event()

        def sample() -> None:
            while True:
                total, largest, count = tree_rss(child.pid)
                result.peak_rss_bytes = max(result.peak_rss_bytes, total)
                result.peak_single_process_rss_bytes = max(result.peak_single_process_rss_bytes, largest)
                result.max_processes = max(result.max_processes, count)
                if done.wait(SAMPLE_SECONDS):
                    return

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            # wait4, not Popen.wait: its rusage is the CPU time of the whole tree (contention-robust)
            _, status, usage = os.wait4(child.pid, 0)
            child.returncode = result.returncode = os.waitstatus_to_exitcode(status)
            result.cpu_seconds = usage.ru_utime + usage.ru_stime
            result.max_rss_rusage_bytes = usage.ru_maxrss * 1024
        except BaseException:
            child.kill()
            child.wait()
            raise
        finally:
            result.wall_seconds = time.perf_counter() - start
            result.ended_at = time.time()
            done.set()
            sampler.join()
    result.load_average_after = [round(value, 2) for value in os.getloadavg()]
    return result


def machine() -> dict:
    memory_kib = 0
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                memory_kib = int(line.split()[1])
    return {
        "cores": os.cpu_count(),
        "memory_bytes": memory_kib * 1024,
        "memory_gib": round(memory_kib / 1024**2, 2),
        "python": sys.version.split()[0],
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
    }


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "GX_ANALYTICS_ENABLED": "false",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "PYTHONUNBUFFERED": "1",
        }
    )
    # a child computes its own workspace from its flags; never inherit the caller's
    for name in ("AAW_WORKDIR", "AAW_LANDING", "AAW_LAKE", "AAW_WAREHOUSE_PATH", "DAGSTER_HOME", "DBT_TARGET_PATH"):
        env.pop(name, None)
    return env
