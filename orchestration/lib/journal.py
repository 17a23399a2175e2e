"""A run's journal of the lake: every file the run replaces or deletes is saved first, so that the lake keeps
the run's changes only if the run published, and otherwise goes back to exactly what it was.

    lake/.journal/<run_id>/
      lock               a shared flock held by each process writing for the run; free means no process of
                         the run is alive any more (a killed process releases it too)
      entries/<key>.json one per lake file the run touched: its path, whether it existed, the first folder
                         on its path the run created
      saved/<key>        the file as it was before the run: a hard link (no copy), which is enough because the
                         lake never changes a file in place, it renames a new file over it or unlinks it
      publication.json   written just before the run swaps its release in: which `current` link and release

The verdict is read from the files alone, so every settler (the run itself, the CLI, a run-status sensor, the
next run) reaches the same one: a journal is committed (dropped) when `current` points at the release named
in its publication.json, and rolled back otherwise. Rolling back renames each saved file over its path and
removes the files that did not exist; the entries stay until everything is restored, so a rollback killed
midway is simply run again. Dropping a journal renames its folder away first, so a half-deleted journal is
never mistaken for one to roll back.

A lake on an object store (lake_fs.py) keeps its journals on the machine, in `WORKDIR/lake-journal/<run_id>/`
(same layout): the locks need a local file system, and an object store has neither hard links nor renames.
There `saved/<key>` is a download of the object as it was, and rolling back uploads it again, whole, then
deletes the download, so an interrupted rollback is again simply run again.
"""

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from orchestration.lib.lake_fs import LakePath, ObjectPath

JOURNAL_DIR = ".journal"
COMMITTED = "committed"
ROLLED_BACK = "rolled back"

log = logging.getLogger(__name__)

# The journal locks this process holds, by journal folder. A run's later steps write in the same process
# (the in-process executor), so the lock must outlive the call that took it; it is released when the
# journal is settled or when the process ends.
_held: dict[Path, TextIO] = {}


class LakeBusy(RuntimeError):
    """Another live process is writing the lake for another run (runs of one workdir are serialised)."""


def journal_folder(lake: LakePath) -> Path:
    """Where the journals of a lake live: its `.journal/` when local, a local folder for an object store."""
    return lake / JOURNAL_DIR if isinstance(lake, Path) else lake.journal_home


@dataclass(frozen=True)
class Journal:
    lake: LakePath
    run_id: str

    @property
    def root(self) -> Path:
        return journal_folder(self.lake) / self.run_id

    @property
    def _anchor(self) -> Path:
        """What publication.json's paths are relative to: the lake when local, else the journals' folder."""
        return self.lake if isinstance(self.lake, Path) else journal_folder(self.lake)

    def exists(self) -> bool:
        return self.root.is_dir()

    def save(self, target: LakePath) -> None:
        """Record `target` (a file in the lake) as it is now, before the run replaces or deletes it.

        Only the first save of a file in a run counts: the journal keeps what the file was before the run."""
        self._open()
        relative = target.relative_to(self.lake).as_posix()
        key = hashlib.sha1(relative.encode()).hexdigest()
        entry = self.root / "entries" / f"{key}.json"
        if entry.exists():
            return
        saved = self.root / "saved" / key
        saved.unlink(missing_ok=True)  # left by a save killed before it wrote its entry
        existed = target.is_file()
        if existed:
            _keep(target, saved)
        # the entry is written last: a journal never names a saved file that is not complete
        _write_json(entry, {"path": relative, "existed": existed, "created": self._first_missing(target.parent)})

    def mark_publication(self, current: Path, release: Path) -> None:
        """Name the release this run is about to swap in at `current` (a no-op when the run changed no file)."""
        if self.exists():
            anchor = self._anchor
            paths = {"current": os.path.relpath(current, anchor), "release": os.path.relpath(release, anchor)}
            _write_json(self.root / "publication.json", paths)

    def published(self) -> bool:
        """Whether the run's release is the current publication."""
        marker = self.root / "publication.json"
        if not marker.exists():
            return False
        paths = json.loads(marker.read_text())
        current, release = self._anchor / paths["current"], self._anchor / paths["release"]
        return release.is_dir() and current.resolve() == release.resolve()

    def settle(self) -> str | None:
        """Commit if the run published, else roll back; None when the run changed nothing in the lake.

        Raises LakeBusy while another process still writes for the run."""
        if not self.exists():
            return None
        with self._exclusive():
            if self.published():
                self._drop()
                return COMMITTED
            self._restore()
            self._drop()
            return ROLLED_BACK

    def commit(self) -> None:
        """Keep the run's changes: drop its journal."""
        if self.exists():
            with self._exclusive():
                self._drop()

    def rollback(self) -> None:
        """Put back every file the run replaced or deleted and remove those it created."""
        if self.exists():
            with self._exclusive():
                self._restore()
                self._drop()

    # ---- internals ------------------------------------------------------------------------------

    def _open(self) -> None:
        """On the first write of this process for the run: settle what finished runs left, then lock."""
        if self.root in _held:
            return
        settle_abandoned(self.lake, except_run=self.run_id)
        (self.root / "entries").mkdir(parents=True, exist_ok=True)
        (self.root / "saved").mkdir(exist_ok=True)
        handle = _lock(self.root / "lock", fcntl.LOCK_SH)
        if handle is None:
            raise LakeBusy(f"{self.root}: the run's journal is being settled by another process")
        _held[self.root] = handle

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        held = _held.pop(self.root, None)
        if held is not None:
            held.close()  # this process wrote for the run; whoever settles it next reaches the same verdict
        handle = _lock(self.root / "lock", fcntl.LOCK_EX)
        if handle is None:
            raise LakeBusy(
                f"{self.lake} is being written by run {self.run_id} (a live process holds {self.root / 'lock'}); "
                "runs of one workdir are serialised, try again when it has finished"
            )
        try:
            yield
        finally:
            handle.close()

    def _first_missing(self, folder: LakePath) -> str | None:
        """The outermost folder between the lake and `folder` that does not exist yet (the run creates it);
        None on an object store, which has no folders to remove."""
        if isinstance(self.lake, ObjectPath):
            return None
        relative = folder.relative_to(self.lake)
        for depth in range(1, len(relative.parts) + 1):
            path = self.lake.joinpath(*relative.parts[:depth])
            if not path.exists():
                return path.relative_to(self.lake).as_posix()
        return None

    def _restore(self) -> None:
        created = set()
        for entry_path in sorted((self.root / "entries").glob("*.json")):
            entry = json.loads(entry_path.read_text())
            target = self.lake / entry["path"]
            saved = self.root / "saved" / entry_path.stem
            if entry["existed"]:
                if saved.exists():  # else an interrupted rollback has already put it back
                    _put_back(saved, target)
            else:
                target.unlink(missing_ok=True)
            if isinstance(target, Path) and target.parent.is_dir():  # a temporary the run was writing when killed
                for temporary in target.parent.glob(f".{target.name}.*.tmp"):
                    temporary.unlink(missing_ok=True)
            if entry["created"]:
                created.add(entry["created"])
        for folder in created:
            _remove_empty_folders(self.lake / folder)

    def _drop(self) -> None:
        dropped = journal_folder(self.lake) / f".dropped-{self.run_id}"
        shutil.rmtree(dropped, ignore_errors=True)
        self.root.rename(dropped)
        shutil.rmtree(dropped)
        _remove_if_empty(journal_folder(self.lake))


def open_journals(lake: LakePath) -> list[str]:
    """The runs whose lake changes are not settled yet."""
    folder = journal_folder(lake)
    if not folder.is_dir():
        return []
    return sorted(path.name for path in folder.iterdir() if path.is_dir() and not path.name.startswith("."))


def settle_abandoned(lake: LakePath, except_run: str | None = None) -> dict[str, str]:
    """Settle the journal of every run that no live process writes for any more (a failed, finished or killed
    run), except `except_run`; finish dropping journals whose drop was interrupted. Raises LakeBusy when a
    live process writes the lake for another run."""
    folder = journal_folder(lake)
    if not folder.is_dir():
        return {}
    for dropped in folder.glob(".dropped-*"):
        shutil.rmtree(dropped, ignore_errors=True)
    outcomes = {}
    for run_id in open_journals(lake):
        if run_id != except_run and (outcome := Journal(lake, run_id).settle()):
            outcomes[run_id] = outcome
            log.warning("lake changes of run %s, which is not running any more: %s", run_id, outcome)
    _remove_if_empty(folder)
    return outcomes


def _lock(path: Path, mode: int) -> TextIO | None:
    handle = path.open("a")
    try:
        fcntl.flock(handle, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def _keep(target: LakePath, saved: Path) -> None:
    if isinstance(target, ObjectPath):  # a download, renamed into place once complete
        temporary = saved.with_name(f"{saved.name}.tmp")
        target.download(temporary)
        os.replace(temporary, saved)
        return
    try:
        os.link(target, saved)
    except OSError:  # a file system without hard links: a copy, renamed into place once complete
        temporary = saved.with_name(f"{saved.name}.tmp")
        shutil.copy2(target, temporary)
        os.replace(temporary, saved)


def _put_back(saved: Path, target: LakePath) -> None:
    """The saved file over `target`: a rename locally; on an object store one upload, then the download goes."""
    if isinstance(target, ObjectPath):
        target.upload(saved)
        saved.unlink()
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(saved, target)


def _write_json(path: Path, content: dict) -> None:
    temporary = path.with_name(f"{path.name}.tmp")
    temporary.write_text(json.dumps(content, sort_keys=True))
    os.replace(temporary, path)


def _remove_empty_folders(folder: Path) -> None:
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*"), key=lambda path: len(path.parts), reverse=True):
        if path.is_dir():
            _remove_if_empty(path)
    _remove_if_empty(folder)


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not empty, or already gone
        folder.rmdir()
