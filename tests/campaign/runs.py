"""One whole-pipeline run of a landing, and what it left behind: published or not, what it said, what changed.

A run goes through `run_isolated` (tests/conftest.py) exactly as the end-to-end tests do; what it prints
is captured, so a blocked run's failure summary can be checked for the gate or file it names and for a
Python exception that is no gate at all.
"""

import contextlib
import hashlib
import io
import os
import re
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from orchestration.defs.quality.checks import PUBLISHED_MARTS
from orchestration.lib.workspace import Workspace
from tests.conftest import run_isolated
from tests.mart_comparison import read_mart
from tests.metrics_oracle import MART_KEYS

# A failed run's summary names each failed gate ("Gate <gate> on <asset>") and each failed step; a step that
# stopped on purpose at a data problem (dagster's Failure) says what it found, any other exception is shown as
# "an unexpected error in the pipeline (<class>: ...)": a crash, not an answer.
UNEXPECTED_ERROR = re.compile(r"an unexpected error in the pipeline \(([\w.]+): ")
SUMMARY_START = re.compile(r"^Run \S+ FAILED at ", re.M)
SUMMARY_END = "\nLog (every step"
# Great Expectations renders Data Docs of every validation, failed ones too: that folder is a log, not the
# publication.
NOT_PUBLICATION = ("quality",)


@dataclass(frozen=True)
class Outcome:
    published: bool
    output: str  # everything the run printed
    seconds: float

    @property
    def failure(self) -> str:
        """The run's failure summary: the failed gates and steps it printed (empty when it published)."""
        start = SUMMARY_START.search(self.output)
        if not start:
            return ""
        end = self.output.find(SUMMARY_END, start.start())
        return self.output[start.start() : end if end >= 0 else None]

    @property
    def crash(self) -> str | None:
        """The exception of a step that failed with neither a gate nor a named file: a traceback to fix."""
        if found := UNEXPECTED_ERROR.search(self.failure):
            return f"an unexpected {found[1]}"
        if "Traceback (most recent call last)" in self.output:
            return "a Python traceback in the run's output"
        return None


def run(landing: Path, workdir: Path, first: date, last: date) -> Outcome:
    printed = io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stdout(printed):
        published = run_isolated(Workspace(landing=landing, workdir=workdir), first, last)
    return Outcome(published, printed.getvalue(), time.monotonic() - started)


def digest(root: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Every file under `root` (symlinks followed) -> its sha256; every symlink -> where it points."""
    digests = {}
    for folder, folders, files in os.walk(root, followlinks=True):
        relative = Path(folder).relative_to(root)
        folders[:] = sorted(name for name in folders if (relative / name).as_posix() not in skip)
        for name in sorted(files) + [name for name in folders if (Path(folder) / name).is_symlink()]:
            path = Path(folder) / name
            key = (relative / name).as_posix()
            if path.is_symlink():
                digests[key + " ->"] = os.readlink(path)
            if path.is_file():
                digests[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def publication_digest(workdir: Path) -> dict[str, str]:
    return digest(workdir / "published", skip=NOT_PUBLICATION)


def lake_digest(workdir: Path) -> dict[str, str]:
    return digest(workdir / "lake")


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))


def _published_database(workdir: Path) -> str:
    return str(workdir / "published" / "current" / "marts.duckdb")


def published_rows(workdir: Path) -> dict[str, list[tuple]]:
    """Every published mart's rows, sorted: what BI reads (two runs agree when these are equal)."""
    with duckdb.connect(_published_database(workdir), read_only=True) as con:
        return {mart: con.execute(f"select * from main.{mart} order by all").fetchall() for mart in PUBLISHED_MARTS}


def published_metric_marts(workdir: Path) -> dict[str, list[dict]]:
    """The published metric marts the oracle computes, as the oracle writes its rows."""
    with duckdb.connect(_published_database(workdir), read_only=True) as con:
        return {mart: read_mart(con, mart) for mart in MART_KEYS}
