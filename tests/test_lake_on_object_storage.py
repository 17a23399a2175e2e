"""The lake on an object store: `aaw run --lake s3://bucket/prefix` against an S3 endpoint the test starts on the
loopback address publishes the same marts as the session's local-lake run of the same landing, and a run that
fails leaves the lake's objects as they were.

One whole pipeline run on S3 (the session's demo is the local run), then one day that fails at ingest.
"""

import contextlib
import io
import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from orchestration.lib.journal import open_journals
from orchestration.lib.lake_fs import ObjectPath, filesystem
from orchestration.lib.workspace import Workspace
from tests.conftest import DemoRun, run_isolated, with_organisation_secret
from tests.test_operations import published_marts

pytestmark = pytest.mark.slow  # a whole run against a local S3 endpoint: minutes


def object_digest(lake: ObjectPath) -> dict[str, str]:
    """Every object under the lake's prefix with its ETag (the MD5 of a single-part object's bytes)."""
    found = filesystem(lake.scheme).find(lake.path, detail=True)
    return {key.removeprefix(lake.path + "/"): info["ETag"] for key, info in found.items()}


@pytest.fixture(scope="module")
def s3_run(demo_run: DemoRun, s3_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The session demo's landing, run through the command line with its lake on S3."""
    root = tmp_path_factory.mktemp("s3-lake")
    filesystem("s3").mkdir("warehouse-lake")
    workspace = Workspace(landing=root / "landing", workdir=root / "work", lake_uri="s3://warehouse-lake/org/lake")
    shutil.copytree(demo_run.workspace.landing, workspace.landing)
    with_organisation_secret(workspace)
    command = ["run", "--landing", str(workspace.landing), "--workdir", str(workspace.workdir)]
    command += ["--lake", workspace.lake_uri, "--full-refresh"]
    command += ["--from", demo_run.first.isoformat(), "--to", demo_run.last.isoformat()]
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        assert main(command) == 0, output.getvalue()
    return workspace


def test_a_lake_on_s3_publishes_the_marts_of_a_local_lake(s3_run: Workspace, demo_run: DemoRun):
    assert published_marts(s3_run) == published_marts(demo_run.workspace)
    assert not (s3_run.workdir / "lake").exists()  # nothing of the lake was written locally
    local_lake = demo_run.workspace.lake
    local = sorted(path.relative_to(local_lake).as_posix() for path in local_lake.rglob("*") if path.is_file())
    assert sorted(object_digest(s3_run.lake)) == [path for path in local if not path.startswith(".journal")]
    assert not open_journals(s3_run.lake)  # the run published: its journal is committed


def test_the_staging_models_over_an_object_store_are_tables(s3_run: Workspace):
    """A view over the lake would download its files again for every model and test reading it."""
    with duckdb.connect(str(s3_run.warehouse), read_only=True) as con:
        kinds = con.execute(
            "select distinct table_type from information_schema.tables where table_schema like '%staging'"
        ).fetchall()
    assert kinds == [("BASE TABLE",)]


def test_a_failed_run_leaves_the_objects_of_the_lake_as_they_were(s3_run: Workspace, demo_run: DemoRun, capsys):
    """Other ingest assets have replaced their partitions of the day when teams.csv fails to parse: the run
    is rolled back object by object (overwritten ones uploaded again, new ones deleted)."""
    before = object_digest(s3_run.lake)
    (s3_run.landing / "teams" / "teams.csv").write_text("team;name\nteam-0001;Alpha\n")
    assert not run_isolated(s3_run, demo_run.last, demo_run.last, full_refresh=False)
    assert "teams/teams.csv: cannot be read" in capsys.readouterr().out
    assert object_digest(s3_run.lake) == before
    assert not open_journals(s3_run.lake)
    assert not any(Path(s3_run.workdir / "lake-journal").glob("*"))


@pytest.mark.parametrize(
    ("lake", "message"),
    [
        ("s3://no-such-bucket/lake", "the bucket no-such-bucket does not exist, or the store cannot be reached"),
        ("http://example.com/lake", "the scheme http:// is not supported; give a local path, file:///path, s3://"),
    ],
)
def test_a_lake_it_cannot_use_stops_the_run_before_it_starts(s3_endpoint, tmp_path, capsys, lake, message):
    (tmp_path / "landing").mkdir()
    command = ["run", "--landing", str(tmp_path / "landing"), "--workdir", str(tmp_path / "work"), "--lake", lake]
    assert main(command) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "work").exists()
