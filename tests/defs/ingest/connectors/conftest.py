"""Fixtures for the vendor-format connector tests: the public samples kept in tests/fixtures/vendor_formats."""

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest

from orchestration.lib.canonical import ENTITY_SCHEMAS
from orchestration.lib.contracts.records import Parsed

FORMATS = Path(__file__).resolve().parents[3] / "fixtures" / "vendor_formats"


@pytest.fixture(scope="session")
def formats_dir() -> Path:
    return FORMATS


@pytest.fixture
def sample(formats_dir: Path) -> Callable[[str], bytes]:
    """The bytes of one sample file of tests/fixtures/vendor_formats."""

    def read(name: str) -> bytes:
        return (formats_dir / name).read_bytes()

    return read


@pytest.fixture
def check_canonical() -> Callable[[Parsed], None]:
    """Asserts every record has exactly its entity's canonical fields plus `_source_line`, and that
    the records fit the entity's Arrow schema (types, UTC timestamps)."""

    def check(parsed: Parsed) -> None:
        schema = ENTITY_SCHEMAS[parsed.entity]
        for record in parsed.records:
            assert set(record) == {*schema.names, "_source_line"}
            assert isinstance(record["_source_line"], int) and record["_source_line"] >= 1
            for field in schema:
                value = record[field.name]
                if pa.types.is_timestamp(field.type) and value is not None:
                    assert value.utcoffset() is not None and value.utcoffset().total_seconds() == 0
        rows = [{name: record[name] for name in schema.names} for record in parsed.records]
        pa.Table.from_pylist(rows, schema=schema)

    return check
