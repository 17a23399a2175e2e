"""The project's model-level generic tests find exactly the columns that break them, on tables of any shape.

Each test's SQL is rendered from its macro with plain Jinja (they use nothing dbt-specific but `model`) and run
on DuckDB over a generated table; the rows it returns are compared with a count made in Python.
"""

import re

import duckdb
import jinja2
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestration.lib.workspace import DBT_PROJECT_DIR

TEST_BLOCK = re.compile(r"{%\s*test\s+(\w+)\(.*?\)\s*%}(.*?){%\s*endtest\s*%}", re.DOTALL)
COLUMNS = ["headcount", "share", "rate"]


def rendered_test(name: str, **arguments) -> str:
    text = (DBT_PROJECT_DIR / "macros" / "tests" / f"{name}.sql").read_text()
    blocks = dict(TEST_BLOCK.findall(text))
    return jinja2.Environment().from_string(blocks[name]).render(model="checked", **arguments)


values = st.one_of(st.none(), st.integers(min_value=-3, max_value=3))
tables = st.lists(st.tuples(*[values for _ in COLUMNS]), max_size=12)


def failing_rows(sql: str, rows: list[tuple]) -> set[tuple]:
    connection = duckdb.connect()
    connection.execute(f"create table checked ({', '.join(f'{column} integer' for column in COLUMNS)})")
    if rows:
        connection.executemany(f"insert into checked values ({', '.join('?' for _ in COLUMNS)})", rows)
    return set(connection.execute(sql).fetchall())


@settings(max_examples=40, deadline=None)
@given(rows=tables, checked=st.lists(st.sampled_from(COLUMNS), min_size=1, unique=True))
def test_not_null_columns_returns_each_column_with_nulls_and_how_many(rows, checked):
    sql = rendered_test("not_null_columns", column_names=checked)

    expected = set()
    for column in checked:
        nulls = sum(1 for row in rows if row[COLUMNS.index(column)] is None)
        if nulls:
            expected.add((column, nulls))
    assert failing_rows(sql, rows) == expected


bound = st.integers(min_value=-2, max_value=2)
bounds = st.fixed_dictionaries({}, optional={"min_value": bound, "max_value": bound})


@settings(max_examples=40, deadline=None)
@given(rows=tables, ranges=st.dictionaries(st.sampled_from(COLUMNS), bounds, min_size=1))
def test_accepted_ranges_returns_each_column_with_values_outside_its_bounds(rows, ranges):
    sql = rendered_test("accepted_ranges", ranges=ranges)

    expected = set()
    for column, bound in ranges.items():
        low, high = bound.get("min_value"), bound.get("max_value")
        outside = sum(
            1
            for row in rows
            if (value := row[COLUMNS.index(column)]) is not None
            and ((low is not None and value < low) or (high is not None and value > high))
        )
        if outside:
            expected.add((column, f"{'' if low is None else low}..{'' if high is None else high}", outside))
    assert failing_rows(sql, rows) == expected
