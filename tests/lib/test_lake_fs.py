"""The lake's filesystem: what `--lake` accepts, whole-object writes, and the journal's rollback on a local lake
and on an S3 endpoint the test starts on the loopback address (moto's server)."""

import hashlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestration.lib import lake, lake_fs
from orchestration.lib.journal import Journal, open_journals
from orchestration.lib.lake_fs import LakePath, LakeUriError, ObjectPath
from tests.lib.test_lake import MONDAY, change_lake, publish_lake, reject, write_day

WORKDIR = Path("/srv/aaw/work")
BUCKETS = st.from_regex(r"[a-z0-9][a-z0-9-]{1,20}[a-z0-9]", fullmatch=True)
KEY_PARTS = st.lists(st.from_regex(r"[A-Za-z0-9_=-]{1,12}", fullmatch=True), max_size=4)


@given(scheme=st.sampled_from(["s3", "gs", "abfs"]), bucket=BUCKETS, parts=KEY_PARTS, slashes=st.booleans())
def test_an_object_store_uri_names_its_bucket_and_prefix(scheme, bucket, parts, slashes):
    prefix = "/".join(parts)
    uri = f"{scheme}://{bucket}/{prefix}" + ("/" if slashes else "")
    root = lake_fs.parse(uri, WORKDIR)
    assert root == ObjectPath(scheme, f"{bucket}/{prefix}".rstrip("/"), WORKDIR / "lake-journal")
    assert lake_fs.parse(str(root), WORKDIR) == root  # str() is the URI DuckDB and dbt read
    assert str(root / "raw" / "teams") == f"{scheme}://{bucket}/{prefix}/raw/teams".replace("//raw", "/raw")
    assert (root / "raw").parent == root


def test_a_local_lake_is_a_path():
    assert lake_fs.parse("", WORKDIR) == WORKDIR / "lake"
    assert lake_fs.parse("/data/lake", WORKDIR) == Path("/data/lake")
    assert lake_fs.parse("file:///data/my%20lake", WORKDIR) == Path("/data/my lake")
    assert lake_fs.parse("relative/lake", WORKDIR) == Path.cwd() / "relative" / "lake"
    assert lake_fs.parse("s3a://bucket/x", WORKDIR) == lake_fs.parse("s3://bucket/x", WORKDIR)


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("http://example.com/lake", "not supported; give a local path, file:///path, s3://bucket/prefix"),
        ("ftp://host/lake", "not supported"),
        ("s3:///prefix", "no bucket"),
        ("file://host/lake", "names a local path"),
        ("s3://bucket/a/../b", "ambiguous"),
    ],
)
def test_a_lake_uri_of_another_form_is_refused_naming_the_accepted_ones(uri, message):
    with pytest.raises(LakeUriError, match=message.replace("(", r"\(")):
        lake_fs.parse(uri, WORKDIR)


@given(st.text(max_size=40))
def test_any_text_is_a_lake_or_a_named_error(text):
    try:
        root = lake_fs.parse(text, WORKDIR)
    except LakeUriError as error:
        assert repr(text.strip()) in str(error)
    else:
        assert isinstance(root, Path | ObjectPath)


# ---- the same lake operations on a local folder and on S3 ----------------------------------------------------


@pytest.fixture(params=["local", "s3"])
def lake_root(request, tmp_path: Path) -> LakePath:
    if request.param == "local":
        return tmp_path / "lake"
    return lake_fs.parse(request.getfixturevalue("s3_bucket") + "/org/lake", tmp_path / "work")


def digest(root: LakePath) -> dict[str, str]:
    """Every file of the lake (journals aside) with the SHA-256 of its bytes."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file() and ".journal" not in path.relative_to(root).parts
    }


def test_a_rolled_back_run_leaves_every_object_as_it_was(lake_root: LakePath):
    publish_lake(lake_root)
    before = digest(lake_root)
    run = "failed-run"
    change_lake(lake_root, run)
    assert not list((lake_root / "raw" / "teams").glob("*/data.parquet"))
    assert open_journals(lake_root) == [run]

    Journal(lake_root, run).rollback()
    assert digest(lake_root) == before
    assert not open_journals(lake_root)


def test_what_the_lake_reads_comes_back_from_either_store(lake_root: LakePath):
    write_day(lake_root, MONDAY, "Alpha", reject("bad header"), "run")
    assert lake.read_stats(lake_root, "teams", MONDAY) == {"read": 2}
    assert lake.records_left_out(lake_root)["teams"]["records_read"] == 0  # write_day's stats count `read`
    with lake_fs.connect(lake_root) as con:
        rows = con.execute(
            "select team_name, day from read_parquet(?, hive_partitioning = true)",
            [str(lake_root / "raw" / "teams" / "*" / "data.parquet")],
        ).fetchall()
    assert rows == [("Alpha", MONDAY)]


def test_a_write_that_fails_midway_leaves_the_object_whole(lake_root: LakePath):
    target = lake_root / "stats" / "teams" / "day=2026-03-02.json"
    lake_fs.write_bytes(target, b'{"read": 1}', "test")
    with pytest.raises(RuntimeError), lake_fs.writing(target, "test") as temporary:
        temporary.write_bytes(b'{"read": ')
        raise RuntimeError("killed while writing")
    assert target.read_bytes() == b'{"read": 1}'


OPERATIONS = st.lists(
    st.tuples(st.sampled_from(["write", "delete"]), st.sampled_from(["a.json", "b/c.json", "b/d/e.json"]), st.binary()),
    max_size=8,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    existing=st.dictionaries(st.sampled_from(["a.json", "b/c.json"]), st.binary(), max_size=2),
    operations=OPERATIONS,
)
def test_any_sequence_of_writes_and_deletes_is_undone(lake_root: LakePath, existing, operations):
    for path in lake_root.rglob("*"):
        if path.is_file():
            path.unlink()
    for name, content in existing.items():
        lake_fs.write_bytes(lake_root / name, content, "setup")
    before = digest(lake_root)
    for operation, name, content in operations:
        target = lake_root / name
        Journal(lake_root, "trial").save(target)
        if operation == "write":
            lake_fs.write_bytes(target, content, "trial")
        else:
            target.unlink(missing_ok=True)
    Journal(lake_root, "trial").rollback()
    assert digest(lake_root) == before
