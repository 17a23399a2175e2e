"""The dbt project runs on DuckDB and on Spark: no DuckDB-only construct outside a dispatched duckdb__ macro.

The constructs are those a build on Spark failed on; the engine-specific forms live in
`{% macro duckdb__... %}` / `spark__...` pairs (calendar.sql, lake.sql, incremental_by_day.sql, pseudonymise.sql).
"""

import re
from pathlib import Path

import pytest

from orchestration.lib.workspace import DBT_PROJECT_DIR

DUCKDB_ONLY = ["read_parquet", "varchar", "generate_series", "isodow", "arg_max", "arg_min", "starts_with"]

DUCKDB_MACRO = re.compile(r"{%-?\s*macro\s+duckdb__.*?{%-?\s*endmacro\s*-?%}", re.DOTALL)
JINJA_COMMENT = re.compile(r"{#.*?#}", re.DOTALL)
SQL_COMMENT = re.compile(r"--[^\n]*")
# dbt-duckdb's own source setting (read_parquet over the lake's files); other adapters ignore it and read the
# lake through the lake_source macro
DUCKDB_SOURCE_SETTING = re.compile(r"^\s*external_location:.*$", re.MULTILINE)


def portable_text(path: Path) -> str:
    """A model, macro or yml file without its duckdb__ macros, its comments and dbt-duckdb's source settings."""
    text = path.read_text()
    for pattern in (DUCKDB_MACRO, JINJA_COMMENT, DUCKDB_SOURCE_SETTING):
        text = pattern.sub("", text)
    if path.suffix == ".sql":
        text = SQL_COMMENT.sub("", text)
    return text


def duckdb_only_constructs(text: str) -> list[str]:
    return [word for word in DUCKDB_ONLY if re.search(rf"\b{word}\b", text, re.IGNORECASE)]


def project_files() -> list[Path]:
    return sorted(
        path
        for folder in ("models", "macros")
        for path in (DBT_PROJECT_DIR / folder).rglob("*")
        if path.suffix in (".sql", ".yml")
    )


@pytest.mark.parametrize("path", project_files(), ids=lambda path: str(path.relative_to(DBT_PROJECT_DIR)))
def test_no_duckdb_only_construct_outside_a_duckdb_macro(path: Path):
    assert duckdb_only_constructs(portable_text(path)) == []


def test_the_seed_types_are_portable():
    assert duckdb_only_constructs((DBT_PROJECT_DIR / "dbt_project.yml").read_text()) == []


def test_the_check_finds_each_construct_outside_and_none_inside_a_duckdb_macro(tmp_path: Path):
    model = tmp_path / "model.sql"
    model.write_text(
        "-- arg_max in a comment is fine\n"
        "{% macro duckdb__spine() %}generate_series(a, b, interval 1 day){% endmacro %}\n"
        "select cast(x as VARCHAR), starts_with(y, 'z'), extract(isodow from d) from read_parquet('f')\n"
    )
    assert duckdb_only_constructs(portable_text(model)) == ["read_parquet", "varchar", "isodow", "starts_with"]
