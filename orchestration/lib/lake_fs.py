"""Where the lake lives: a local folder, or a prefix on an object store (S3, Google Cloud Storage, Azure).

`parse` turns what `aaw run --lake` was given into a lake root: a `pathlib.Path` for a local path or a
`file://` URI (the lake stays exactly as it was on one machine), an `ObjectPath` for `s3://`, `gs://` and
`abfs://`. An `ObjectPath` answers the part of the `Path` interface the lake uses (`/`, `parent`, `name`,
`exists`, `glob`, `iterdir`, `read_text`, `unlink`...) through an fsspec filesystem, so the lake's code
reads the same on both. What differs is here:

- `writing(target)`: a whole file becomes visible at once. On a local lake a temporary file is renamed over
  the target (as before); an object store has no rename, and needs none: an object is written once, whole
  (one PUT, or a multipart upload that appears only when complete), so the file is written locally and
  uploaded as one object.
- `connect(lake)`: a DuckDB connection that reads the lake; for an object store the same fsspec filesystem
  is registered with DuckDB, which then never loads its httpfs extension (it cannot be downloaded here).
- `dbt_filesystems(lake)`: the same filesystem for dbt-duckdb's profile (`filesystems:`).

Credentials and endpoints come from each store's standard environment: for S3 (s3fs, botocore)
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION and AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_S3 (an
S3-compatible store such as MinIO); for gs:// (gcsfs) GOOGLE_APPLICATION_CREDENTIALS; for abfs:// (adlfs)
AZURE_STORAGE_ACCOUNT_NAME with AZURE_STORAGE_ACCOUNT_KEY or a service principal's AZURE_* variables.
"""

import contextlib
import fnmatch
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlparse

import duckdb
import fsspec

# URI scheme -> the fsspec protocol that serves it (and the package it needs)
OBJECT_STORES = {"s3": "s3", "s3a": "s3", "gs": "gcs", "gcs": "gcs", "abfs": "abfs", "abfss": "abfs", "az": "abfs"}
ACCEPTED = "a local path, file:///path, s3://bucket/prefix, gs://bucket/prefix or abfs://container/prefix"


class LakeUriError(ValueError):
    """A lake URI of a form the lake cannot live at."""


@dataclass(frozen=True, order=True)
class ObjectPath:
    """A key (or a prefix of keys) on an object store, with the `Path` methods the lake uses.

    `journal_home` is the local folder that keeps the run journals of this lake: a journal needs file locks
    and is read back by the next run of the same workdir, so it stays on the machine (journal.py)."""

    scheme: str
    path: str  # bucket/key, without a trailing slash
    journal_home: Path

    def __str__(self) -> str:
        return f"{self.scheme}://{self.path}"

    def __truediv__(self, part: str) -> "ObjectPath":
        return replace(self, path=f"{self.path}/{str(part).strip('/')}")

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name

    @property
    def stem(self) -> str:
        return PurePosixPath(self.path).stem

    @property
    def parent(self) -> "ObjectPath":
        return replace(self, path=str(PurePosixPath(self.path).parent))

    @property
    def filesystem(self) -> fsspec.AbstractFileSystem:
        return filesystem(self.scheme)

    def relative_to(self, other: "ObjectPath") -> PurePosixPath:
        return PurePosixPath(self.path).relative_to(other.path)

    def exists(self) -> bool:
        return self.filesystem.exists(self.path)

    def is_file(self) -> bool:
        return self.filesystem.isfile(self.path)

    def is_dir(self) -> bool:
        return self.filesystem.isdir(self.path)

    def read_bytes(self) -> bytes:
        return self.filesystem.cat_file(self.path)

    def read_text(self) -> str:
        return self.read_bytes().decode()

    def write_bytes(self, data: bytes) -> None:
        """The whole object in one request: readers see the old object or the new one, never a part."""
        self.filesystem.pipe_file(self.path, data)

    def upload(self, source: Path) -> None:
        """A local file as this object, visible only once complete."""
        self.filesystem.put_file(str(source), self.path)

    def download(self, target: Path) -> None:
        self.filesystem.get_file(self.path, str(target))

    def unlink(self, missing_ok: bool = False) -> None:
        if missing_ok and not self.is_file():
            return
        self.filesystem.rm_file(self.path)

    def iterdir(self) -> Iterator["ObjectPath"]:
        if self.is_dir():
            for child in sorted(self.filesystem.ls(self.path, detail=False)):
                yield replace(self, path=child.rstrip("/"))

    def glob(self, pattern: str) -> Iterator["ObjectPath"]:
        for found in sorted(self.filesystem.glob(f"{self.path}/{pattern}")):
            yield replace(self, path=found.rstrip("/"))

    def rglob(self, pattern: str) -> Iterator["ObjectPath"]:
        """The objects below whose name matches `pattern` (objects only: a store has no folders to list)."""
        for found in sorted(self.filesystem.find(self.path)):
            if fnmatch.fnmatch(PurePosixPath(found).name, pattern):
                yield replace(self, path=found)

    def mkdir(self, parents: bool = False, exist_ok: bool = False) -> None:
        """An object store has no folders: a prefix exists while an object is under it."""

    def rmdir(self) -> None:
        """A prefix disappears with its last object."""


LakePath = Path | ObjectPath


def filesystem(scheme: str) -> fsspec.AbstractFileSystem:
    """The fsspec filesystem of an object-store scheme, configured from the store's standard environment.

    Listings are not cached: another process (dbt, the next step) writes the same prefixes."""
    protocol = OBJECT_STORES[scheme]
    try:
        return fsspec.filesystem(protocol, use_listings_cache=False)
    except ImportError as error:
        package = {"s3": "s3fs", "gcs": "gcsfs", "abfs": "adlfs"}[protocol]
        raise LakeUriError(f"a {scheme}:// lake needs the package {package}: pip install {package}") from error


def parse(uri: str | Path, workdir: Path) -> LakePath:
    """The lake root `uri` names (empty: WORKDIR/lake). A relative local path is taken from the current folder.

    Raises LakeUriError naming the accepted forms for any other scheme, or an object-store URI without a bucket."""
    text = str(uri).strip()
    if not text:
        return workdir / "lake"
    if "\x00" in text:
        raise LakeUriError(f"lake {text!r}: a NUL character names no path")
    parsed = urlparse(text)
    scheme = parsed.scheme.lower()
    if scheme in ("", "file") or (len(scheme) == 1 and text[1:3] in (":\\", ":/")):  # a path, or C:\ on Windows
        local = Path(unquote(parsed.path)) if scheme == "file" else Path(text)
        if scheme == "file" and parsed.netloc not in ("", "localhost"):
            raise LakeUriError(f"lake {text!r}: a file:// URI names a local path (file:///path), not a host")
        return local.resolve()
    if scheme not in OBJECT_STORES:
        raise LakeUriError(f"lake {text!r}: the scheme {scheme}:// is not supported; give {ACCEPTED}")
    bucket = parsed.netloc
    if not bucket:
        raise LakeUriError(f"lake {text!r}: no bucket (or container); give e.g. {scheme}://bucket/prefix")
    key = "/".join(part for part in parsed.path.split("/") if part)
    if any(part in (".", "..") for part in key.split("/")):
        raise LakeUriError(f"lake {text!r}: a prefix with '.' or '..' parts is ambiguous on an object store")
    canonical = "s3" if scheme == "s3a" else scheme
    return ObjectPath(canonical, f"{bucket}/{key}".rstrip("/"), workdir / "lake-journal")


def unreachable(lake: LakePath) -> str | None:
    """Why a run could not use the lake (its bucket missing, or the store out of reach), or None: said before
    the run starts rather than as a failed ingest step."""
    if isinstance(lake, Path):
        return None
    bucket = lake.path.split("/")[0]
    if lake.filesystem.exists(bucket):
        return None
    return (
        f"lake {lake}: the bucket {bucket} does not exist, or the store cannot be reached with the credentials and "
        "endpoint of the environment (for S3: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL)"
    )


@contextlib.contextmanager
def writing(target: LakePath, process_tag: str) -> Iterator[Path]:
    """A local file to write the whole of `target` into; when the block ends without error it becomes `target`
    at once. Local: a temporary beside the target (`.<name>.<tag>.tmp`, which a rollback removes if the run
    is killed), renamed over it. Object store: a temporary file uploaded as one object."""
    if isinstance(target, Path):
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{process_tag}.tmp")
        yield temporary
        temporary.replace(target)
        return
    with tempfile.TemporaryDirectory(prefix="aaw-lake-") as folder:
        temporary = Path(folder) / target.name
        yield temporary
        target.upload(temporary)


def write_bytes(target: LakePath, data: bytes, process_tag: str) -> None:
    """Replace `target` with `data`, atomically (see `writing`)."""
    if isinstance(target, ObjectPath):
        target.write_bytes(data)
        return
    with writing(target, process_tag) as temporary:
        temporary.write_bytes(data)


def connect(lake: LakePath) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection (UTC) that reads the lake's files by their `str()`."""
    con = register(duckdb.connect(), lake)
    con.execute("set TimeZone = 'UTC'")
    return con


def register(con: duckdb.DuckDBPyConnection, lake: LakePath) -> duckdb.DuckDBPyConnection:
    """`con` able to read the lake (the warehouse's staging views read it too): an object store's filesystem
    registered, and DuckDB kept from trying to download an extension for the URI scheme."""
    if isinstance(lake, ObjectPath):
        con.execute("set autoload_known_extensions = false")
        con.register_filesystem(lake.filesystem)
    return con


def dbt_filesystems(lake: LakePath) -> list[dict[str, str]]:
    """dbt-duckdb's `filesystems:` for this lake (none for a local one): fsspec builds the same filesystem
    from the same environment in dbt's process."""
    if isinstance(lake, ObjectPath):
        return [{"fs": OBJECT_STORES[lake.scheme], "use_listings_cache": False}]
    return []
