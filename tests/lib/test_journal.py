"""The lake journal: a run's replaced, deleted and new files are put back exactly unless the run published,
also when the run or the rollback itself was killed midway."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.lib import journal
from orchestration.lib.journal import Journal, LakeBusy, settle_abandoned
from orchestration.lib.workspace import REPO_ROOT
from tests.conftest import tree_digest, write_files

BEFORE = {
    "raw/deployments/day=2026-03-02/data.parquet": "old partition",
    "raw/reference/tools/data.parquet": "old reference",
    "stats/deployments/day=2026-03-02.json": '{"read": 2}',
}


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    return write_files(tmp_path / "lake", BEFORE)


def replace(journal_: Journal, target: Path, text: str) -> None:
    """What the lake does: save, then write a new file and rename it over the old one."""
    journal_.save(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_text(text)
    os.replace(temporary, target)


def delete(journal_: Journal, target: Path) -> None:
    journal_.save(target)
    target.unlink()


def change_everything(lake: Path, run_id: str) -> Journal:
    """A run that replaces a partition twice, deletes the stats, and creates a partition in a new folder."""
    run = Journal(lake, run_id)
    partition = lake / "raw/deployments/day=2026-03-02/data.parquet"
    replace(run, partition, "first new partition")
    replace(run, partition, "second new partition")
    delete(run, lake / "stats/deployments/day=2026-03-02.json")
    replace(run, lake / "raw/tool_activity/day=2026-03-03/data.parquet", "new entity, new day")
    return run


def publish(lake: Path, run: Journal) -> None:
    published = lake.parent / "published"
    release = published / "releases" / f"r-{run.run_id}"
    release.mkdir(parents=True)
    run.mark_publication(published / "current", release)
    (published / ".current").symlink_to(release.relative_to(published), target_is_directory=True)
    os.replace(published / ".current", published / "current")


def test_rollback_puts_back_replaced_and_deleted_files_and_removes_new_ones(lake):
    before = tree_digest(lake)
    run = change_everything(lake, "run-1")
    assert (lake / "raw/tool_activity/day=2026-03-03/data.parquet").exists()
    run.rollback()
    assert tree_digest(lake) == before  # new folders gone, no .journal left, the first version back
    run.rollback()  # idempotent
    assert tree_digest(lake) == before


def test_a_replaced_file_is_restored_as_the_very_same_file(lake):
    partition = lake / "raw/deployments/day=2026-03-02/data.parquet"
    inode, modified = partition.stat().st_ino, partition.stat().st_mtime_ns
    change_everything(lake, "run-1").rollback()
    assert (partition.stat().st_ino, partition.stat().st_mtime_ns) == (inode, modified)


def test_commit_keeps_the_changes_and_drops_the_journal(lake):
    run = change_everything(lake, "run-1")
    after = tree_digest(lake)
    run.commit()
    assert not (lake / ".journal").exists()
    assert tree_digest(lake) == {path: digest for path, digest in after.items() if not path.startswith(".journal")}
    assert (lake / "raw/deployments/day=2026-03-02/data.parquet").read_text() == "second new partition"


def test_settle_commits_a_published_run_and_rolls_back_any_other(lake):
    before = tree_digest(lake)
    unpublished = change_everything(lake, "run-1")
    assert unpublished.settle() == journal.ROLLED_BACK
    assert tree_digest(lake) == before

    run = change_everything(lake, "run-2")
    publish(lake, run)
    assert run.settle() == journal.COMMITTED
    assert (lake / "raw/deployments/day=2026-03-02/data.parquet").read_text() == "second new partition"
    assert run.settle() is None


def test_a_release_named_but_never_swapped_in_is_rolled_back(lake):
    before = tree_digest(lake)
    earlier = change_everything(lake, "run-1")
    publish(lake, earlier)
    earlier.commit()
    published_by_earlier = tree_digest(lake)
    assert published_by_earlier != before
    run = Journal(lake, "run-2")
    replace(run, lake / "raw/reference/tools/data.parquet", "run-2's reference")
    release = lake.parent / "published" / "releases" / "r-run-2"
    release.mkdir()
    run.mark_publication(lake.parent / "published" / "current", release)  # killed before the swap
    assert run.settle() == journal.ROLLED_BACK
    assert tree_digest(lake) == published_by_earlier


def test_a_rollback_killed_midway_is_finished_by_the_next_one(lake, monkeypatch):
    before = tree_digest(lake)
    run = change_everything(lake, "run-1")
    renames = []
    real_replace = os.replace

    def killed_after_one_restore(source, target):
        if renames:
            raise KeyboardInterrupt  # the process dies here
        renames.append(target)
        real_replace(source, target)

    monkeypatch.setattr(journal.os, "replace", killed_after_one_restore)
    with pytest.raises(KeyboardInterrupt):
        run.rollback()
    monkeypatch.setattr(journal.os, "replace", real_replace)
    assert renames and tree_digest(lake) != before
    assert settle_abandoned(lake) == {"run-1": journal.ROLLED_BACK}
    assert tree_digest(lake) == before


def test_a_drop_killed_midway_is_finished_and_never_rolled_back(lake, monkeypatch):
    run = change_everything(lake, "run-1")
    after = {path: digest for path, digest in tree_digest(lake).items() if not path.startswith(".journal")}
    monkeypatch.setattr(journal.shutil, "rmtree", lambda path, ignore_errors=False: None)  # killed after the rename
    run.commit()
    monkeypatch.undo()
    assert [path.name for path in (lake / ".journal").iterdir()] == [".dropped-run-1"]
    assert settle_abandoned(lake) == {}
    assert tree_digest(lake) == after


def test_a_save_killed_before_its_entry_changes_nothing(lake):
    before = tree_digest(lake)
    run = Journal(lake, "run-1")
    replace(run, lake / "raw/reference/tools/data.parquet", "new reference")
    partition = lake / "raw/deployments/day=2026-03-02/data.parquet"
    key = journal.hashlib.sha1(b"raw/deployments/day=2026-03-02/data.parquet").hexdigest()
    os.link(partition, run.root / "saved" / key)  # the link was made, the entry never written; the file unchanged
    run.rollback()
    assert tree_digest(lake) == before


def test_a_temporary_left_by_a_killed_write_is_removed(lake):
    before = tree_digest(lake)
    run = Journal(lake, "run-1")
    partition = lake / "raw/deployments/day=2026-03-02/data.parquet"
    run.save(partition)
    (partition.parent / ".data.parquet.4242.tmp").write_text("half a file")
    run.rollback()
    assert tree_digest(lake) == before


KILLED_WRITER = """
import sys
from pathlib import Path
from orchestration.lib.journal import Journal

lake = Path(sys.argv[1])
target = lake / "raw/reference/tools/data.parquet"
Journal(lake, "killed-run").save(target)
target.with_name("new").write_text("written by a run that gets killed")
target.with_name("new").replace(target)
print("written", flush=True)
sys.stdin.read()
"""


def test_a_live_writer_blocks_other_runs_and_a_killed_one_is_rolled_back_by_the_next_run(lake):
    before = tree_digest(lake)
    writer = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(lake)],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline() == "written\n"
        with pytest.raises(LakeBusy, match="killed-run"):
            Journal(lake, "next-run").save(lake / "raw/reference/tools/data.parquet")
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    next_run = Journal(lake, "next-run")
    next_run.save(lake / "raw/reference/tools/data.parquet")  # its first write settles the killed run first
    assert not Journal(lake, "killed-run").exists()
    next_run.rollback()
    assert tree_digest(lake) == before


def test_an_earlier_run_of_this_process_is_settled_by_the_next_run(lake):
    """In-process runs (execute_in_process, dg.materialize) run one after the other in one process."""
    before = tree_digest(lake)
    change_everything(lake, "run-1")  # never settled: nothing ran after it
    run = Journal(lake, "run-2")
    run.save(lake / "raw/reference/tools/data.parquet")
    assert not Journal(lake, "run-1").exists()
    run.rollback()
    assert tree_digest(lake) == before
