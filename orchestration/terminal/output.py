"""A command's two outputs: a few lines for the terminal, and the whole story in a log file.

While a command runs its file descriptors 1 and 2 point at the log file, so the output of everything it
runs, child processes (dbt) included, lands there; the terminal keeps a handle of its own for the progress
display and the summary. `--verbose` copies the log to the terminal as it is written.
"""

import contextlib
import io
import os
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO


def log_path(workdir: Path, command: str, now: datetime | None = None) -> Path:
    """WORKDIR/logs/<command>-<UTC time>.log"""
    return workdir / "logs" / f"{command}-{(now or datetime.now(UTC)):%Y%m%dT%H%M%SZ}.log"


class CommandOutput:
    """The terminal of one command and its log file. `say` writes a line to both, `log` to the file only."""

    def __init__(self, workdir: Path, command: str, verbose: bool = False, terminal: TextIO | None = None):
        self.path = log_path(workdir, command)
        self.verbose = verbose
        self.terminal = terminal or sys.stdout
        self._file: TextIO | None = None

    @property
    def interactive(self) -> bool:
        """A terminal a person watches (animate); otherwise (CI, a pipe, a file) plain lines only."""
        try:
            return self.terminal.isatty()
        except (AttributeError, ValueError):
            return False

    def say(self, line: str = "") -> None:
        print(line, file=self.terminal, flush=True)
        self.log(line)

    def log(self, line: str) -> None:
        if self._file is not None:
            print(line, file=self._file, flush=True)

    @contextlib.contextmanager
    def open(self) -> Iterator["CommandOutput"]:
        """Send this process's stdout and stderr, and its children's, to the log file until the block ends."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8", errors="replace") as log_file, _terminal_copy(self.terminal) as tty:
            self.terminal, self._file = tty, log_file
            with _redirected(log_file, tty if self.verbose else None):
                yield self
            self._file = None


@contextlib.contextmanager
def _terminal_copy(terminal: TextIO) -> Iterator[TextIO]:
    """A handle on the terminal that outlives redirecting descriptor 1 (a stream without one is kept)."""
    try:
        descriptor = terminal.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        yield terminal
        return
    terminal.flush()
    encoding = getattr(terminal, "encoding", None) or "utf-8"
    with open(os.dup(descriptor), "w", buffering=1, encoding=encoding, errors="replace") as copy:
        yield copy


@contextlib.contextmanager
def _redirected(log_file: TextIO, tee: TextIO | None) -> Iterator[None]:
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    saved = {descriptor: os.dup(descriptor) for descriptor in (1, 2)}
    target, copier = _log_target(log_file, tee)
    previous = sys.stdout, sys.stderr
    try:
        for descriptor in saved:
            os.dup2(target, descriptor)
        # Python's own streams too, in case they are not descriptors 1 and 2 (a test's captured output)
        with open(os.dup(target), "w", buffering=1, encoding="utf-8", errors="replace") as stream:
            sys.stdout = sys.stderr = stream
            try:
                yield
            finally:
                sys.stdout, sys.stderr = previous
    finally:
        for descriptor, original in saved.items():
            os.dup2(original, descriptor)
            os.close(original)
        os.close(target)
        if copier is not None:
            copier.join(timeout=10)  # a child left holding the pipe must not hang the command


def _log_target(log_file: TextIO, tee: TextIO | None) -> tuple[int, threading.Thread | None]:
    """The descriptor output goes to: the log file, or a pipe copied to the log file and the terminal."""
    log_file.flush()
    if tee is None:
        return os.dup(log_file.fileno()), None
    read_end, write_end = os.pipe()

    def copy() -> None:
        with open(read_end, "rb") as pipe:
            for chunk in iter(lambda: pipe.read1(65536), b""):
                text = chunk.decode("utf-8", errors="replace")
                log_file.write(text)
                log_file.flush()
                tee.write(text)
                tee.flush()

    copier = threading.Thread(target=copy, name="log-tee", daemon=True)
    copier.start()
    return write_end, copier
