"""One decoding rule for every landing file: strict UTF-8 with a leading byte-order mark dropped. A file with
a byte that is not UTF-8 fails, naming its line and byte offset, whatever entity it holds."""

import codecs
import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestration.defs.ingest.connectors import generic
from orchestration.lib.contracts.records import UnreadableFile, decode_utf8
from tests.defs.ingest.generic_inputs import CATALOGUE, DAY, NOW

DEPLOYMENT = {
    "deployment_id": "d1",
    "service": "checkout",
    "environment": "production",
    "commit_sha": "abc",
    "status": "success",
    "deployed_at": "2026-03-02T10:00:00Z",
    "triggered_by": "José García",
}
EVENT = {
    "event_id": "e1",
    "occurred_at": "2026-03-02T10:00:00Z",
    "identity": "josé@example.com",
    "tool": "cursor",
    "event_type": "interaction",
}
ROSTER = (
    "engineer_id,email,github_login,full_name,team_id,manager_email,role,is_engineer\n"
    "eng-1,jose@example.com,jose-gh,José García,team-a,,engineer,true\n"
)

PARSERS = {
    "deployments/2026-03-02.ndjson": lambda data, name: generic.parse_deployments(data, name, DAY, NOW),
    "usage/2026-03-02.ndjson": lambda data, name: generic.parse_usage_events([(name, data)], DAY, CATALOGUE, NOW),
    "roster/roster_2026-03-02.csv": lambda data, name: generic.parse_roster(data, name, date(2026, 3, 2)),
}
SAMPLES = {
    "deployments/2026-03-02.ndjson": json.dumps(DEPLOYMENT, ensure_ascii=False) + "\n",
    "usage/2026-03-02.ndjson": json.dumps(EVENT, ensure_ascii=False) + "\n",
    "roster/roster_2026-03-02.csv": ROSTER,
}


def outcome(name: str, data: bytes):
    parsed = PARSERS[name](data, name)
    records = parsed.activity.to_pylist() if hasattr(parsed, "activity") else parsed.records
    return records, [(reject.source_line, reject.reason) for reject in parsed.rejects]


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_latin1_bytes_fail_every_entity_naming_line_and_offset(name):
    """Deployments used to take them as `Jos\ufffd Garc\ufffda` while the same bytes failed a usage file."""
    text = SAMPLES[name]
    data = text.encode("latin-1")
    offset = text.encode("utf-8").index("é".encode())  # the first é: its latin-1 byte sits at the same offset
    line = text[: text.index("é")].count("\n") + 1
    with pytest.raises(UnreadableFile, match=rf"{name}: cannot be read: .*line {line}, byte offset {offset}"):
        PARSERS[name](data, name)


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_a_byte_order_mark_is_dropped_for_every_entity(name):
    """A BOM at the start of a usage file quarantined its first event as malformed JSON."""
    data = SAMPLES[name].encode()
    records, rejects = outcome(name, codecs.BOM_UTF8 + data)
    assert rejects == []
    assert (records, rejects) == outcome(name, data)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(text=st.text(max_size=40), name=st.sampled_from(sorted(PARSERS)))
def test_any_text_reads_the_same_with_or_without_a_bom(text, name):
    data = (SAMPLES[name] + text).encode()
    try:
        plain = outcome(name, data)
    except UnreadableFile as error:
        with pytest.raises(UnreadableFile) as with_bom:
            outcome(name, codecs.BOM_UTF8 + data)
        assert str(with_bom.value) == str(error)
    else:
        assert outcome(name, codecs.BOM_UTF8 + data) == plain


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(prefix=st.text(max_size=30), junk=st.binary(min_size=1, max_size=4).filter(lambda b: _invalid(b)))
def test_an_invalid_byte_is_named_by_its_line_and_offset(prefix, junk):
    data = prefix.encode() + junk
    bad = _first_bad(data)
    line = data.count(b"\n", 0, bad) + 1
    with pytest.raises(UnreadableFile, match=rf"^x.ndjson: cannot be read: .*line {line}, byte offset {bad}:"):
        decode_utf8(data, "x.ndjson", "UTF-8 NDJSON")


def _invalid(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _first_bad(data: bytes) -> int:
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return error.start
    raise AssertionError("valid")
