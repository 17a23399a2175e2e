"""NDJSON lines built column-wise with pyarrow (one JSON object a line, in a fixed key order)."""

import json
from collections.abc import Sequence
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def json_objects(fields: Sequence[tuple[str, pa.Array, bool]]) -> pa.Array:
    """One JSON object per row, keys in the given order; a null value leaves its key out. A quoted value is
    written between quotes as it is: it must be JSON-escaped already."""
    parts: list[pa.Array | str] = []
    for position, (key, values, quoted) in enumerate(fields):
        lead = ("{" if position == 0 else ",") + json.dumps(key) + ":" + ('"' if quoted else "")
        fragment = pc.binary_join_element_wise(lead, values, '"' if quoted else "", "")
        if values.null_count:
            fragment = pc.fill_null(fragment, "{" if position == 0 else "")
        parts.append(fragment)
    parts.append("}")
    return pc.binary_join_element_wise(*parts, "")


def json_lines(fields: Sequence[tuple[str, pa.Array, bool]]) -> pa.Array:
    """One JSON object per row and line (see json_objects)."""
    return pc.binary_join_element_wise(json_objects(fields), "\n", "")


def write_lines(handle: BinaryIO, lines: pa.Array | pa.ChunkedArray) -> None:
    """Write a string array of newline-terminated lines without a Python loop per line. pyarrow may return a
    compute result in chunks (it did for a column taken from 400,000 commit shas), so chunks are written in turn."""
    for chunk in lines.chunks if isinstance(lines, pa.ChunkedArray) else [lines]:
        if len(chunk) == 0:
            continue
        chunk = chunk.cast(pa.large_string()) if chunk.type != pa.large_string() else chunk
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64)[chunk.offset : chunk.offset + len(chunk) + 1]
        handle.write(memoryview(chunk.buffers()[2])[int(offsets[0]) : int(offsets[-1])])


def string_array(values: np.ndarray, absent: np.ndarray | None = None) -> pa.Array:
    array = pa.array(values, mask=absent)
    return pc.cast(array, pa.string())
