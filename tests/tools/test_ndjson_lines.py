"""The demo's column-wise NDJSON writer writes every line once, in order, whether pyarrow hands it one array or a
chunked one (large compute results come back chunked)."""

import io

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestration.tools.demo.ndjson import write_lines

texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"), max_size=12)


@settings(deadline=None)
@given(chunks=st.lists(st.lists(texts, max_size=5), max_size=5), skip=st.integers(0, 3), keep=st.integers(0, 20))
def test_every_line_is_written_once_in_order(chunks: list[list[str]], skip: int, keep: int) -> None:
    lines = pa.chunked_array([pa.array([text + "\n" for text in chunk], pa.string()) for chunk in chunks], pa.string())
    sliced = lines.slice(skip, keep)
    expected = "".join(sliced.to_pylist()).encode()

    chunked, whole = io.BytesIO(), io.BytesIO()
    write_lines(chunked, sliced)
    write_lines(whole, sliced.combine_chunks())

    assert chunked.getvalue() == expected
    assert whole.getvalue() == expected
