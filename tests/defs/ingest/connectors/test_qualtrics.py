"""Qualtrics CSV response exports -> survey_responses."""

import csv
import io
from datetime import UTC, datetime

import pytest

from orchestration.defs.ingest.connectors.qualtrics import parse
from orchestration.lib.contracts.records import UnreadableFile

SAMPLE = "qualtrics_nps_survey_export.csv"
NAME = "surveys/qualtrics/ai_assistant_nps_2025-06.csv"


@pytest.fixture
def rows(sample) -> list[list[str]]:
    """The sample as cells: three header rows, then three responses."""
    return list(csv.reader(io.StringIO(sample(SAMPLE).decode(), newline="")))


def to_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def set_cell(rows: list[list[str]], row: int, column: str, value: str) -> None:
    rows[row][rows[0].index(column)] = value


def add_column(rows: list[list[str]], column: str, import_id: str, values: list[str]) -> None:
    for row, value in zip(rows, [column, column, f'{{"ImportId":"{import_id}"}}', *values], strict=True):
        row.append(value)


def test_sample_export(sample, check_canonical):
    parsed = parse(sample(SAMPLE), "surveys/qualtrics/qualtrics_nps_survey_export.csv")
    check_canonical(parsed)
    assert parsed.records == [
        {
            "response_id": "R_1aBcDeFgHiJkLmN",
            "survey_id": "qualtrics_nps_survey_export",  # the file name without extension
            "identity": "jane.doe@example.com",
            "tool": None,  # no tool column in this export
            "score": 9,
            # RecordedDate 2025-06-02 09:16:42 America/Denver (MDT, UTC-6)
            "submitted_at": datetime(2025, 6, 2, 15, 16, 42, tzinfo=UTC),
            "_source_line": 4,
        },
        {
            "response_id": "R_2oPqRsTuVwXyZaB",
            "survey_id": "qualtrics_nps_survey_export",
            "identity": "rick.roe@example.com",
            "tool": None,
            "score": 6,
            "submitted_at": datetime(2025, 6, 2, 16, 2, 41, tzinfo=UTC),
            "_source_line": 5,
        },
    ]
    # the third response is partial: excluded by definition with its reason (not quarantined: it is not
    # broken), and still counted, never silently dropped
    assert [(r.source_line, r.reason) for r in parsed.excluded] == [(6, "partial response")]
    assert parsed.rejects == []
    assert parsed.records_read == 3


def test_survey_id_can_be_given(sample):
    assert {r["survey_id"] for r in parse(sample(SAMPLE), NAME, survey_id="SV_0Nps").records} == {"SV_0Nps"}


def test_a_winter_date_uses_standard_time(rows):
    set_cell(rows, 3, "RecordedDate", "2025-01-15 09:00:00")
    [first, _] = parse(to_csv(rows), NAME).records
    assert first["submitted_at"] == datetime(2025, 1, 15, 16, 0, tzinfo=UTC)  # MST, UTC-7


def test_an_export_in_utc_keeps_its_times(rows):
    set_cell(rows, 2, "RecordedDate", '{"ImportId":"recordedDate","timeZone":"Z"}')
    [first, _] = parse(to_csv(rows), NAME).records
    assert first["submitted_at"] == datetime(2025, 6, 2, 9, 16, 42, tzinfo=UTC)


def test_identity_falls_back_to_the_external_reference_then_none(rows):
    set_cell(rows, 3, "RecipientEmail", "")
    set_cell(rows, 4, "RecipientEmail", "")
    set_cell(rows, 4, "ExternalReference", "")
    assert [r["identity"] for r in parse(to_csv(rows), NAME).records] == ["emp-1042", None]


def test_a_tool_column_names_the_tool(rows):
    add_column(rows, "Tool", "tool", ["cursor", "", "cursor"])
    assert [r["tool"] for r in parse(to_csv(rows), NAME).records] == ["cursor", None]


def test_survey_previews_are_not_responses(rows):
    set_cell(rows, 4, "Status", "1")
    parsed = parse(to_csv(rows), NAME)
    assert [r["response_id"] for r in parsed.records] == ["R_1aBcDeFgHiJkLmN"]
    assert [(r.source_line, r.reason) for r in parsed.excluded] == [(5, "survey preview"), (6, "partial response")]
    assert parsed.rejects == []


@pytest.mark.parametrize(("score", "shown"), [("11", "'11'"), ("", "''"), ("nine", "'nine'")])
def test_a_score_outside_0_to_10_is_rejected(rows, score, shown):
    set_cell(rows, 3, "Q1", score)
    parsed = parse(to_csv(rows), NAME)
    assert parsed.rejects[0].reason == f"expected Q1 (the NPS score, an integer 0-10), got {shown}"


def test_a_choice_text_extreme_reads_as_its_number(rows):
    set_cell(rows, 3, "Q1", "10 - Extremely likely")
    assert parse(to_csv(rows), NAME).records[0]["score"] == 10


def test_a_multi_line_answer_keeps_the_line_its_response_starts_on(rows):
    set_cell(rows, 3, "Q3_TEXT", "Better context\non our monorepo")
    parsed = parse(to_csv(rows), NAME)
    assert [r["_source_line"] for r in parsed.records] == [4, 6]
    assert [r.source_line for r in parsed.excluded] == [7]


def test_unknown_columns_are_tolerated(rows):
    add_column(rows, "Q4", "QID4", ["3", "2", "1"])
    assert [r["score"] for r in parse(to_csv(rows), NAME).records] == [9, 6]


def test_an_export_without_the_import_id_row_cannot_be_read(rows):
    with pytest.raises(
        UnreadableFile,
        match=r'^surveys/qualtrics/.*: cannot be read: expected a Qualtrics CSV .*not \{"ImportId"',
    ):
        parse(to_csv([rows[0], *rows[3:]]), NAME)


def test_a_renamed_required_column_cannot_be_read(rows):
    rows[0][rows[0].index("ResponseId")] = "ResponseID"
    with pytest.raises(UnreadableFile, match=r"the header lacks ResponseId\)$"):
        parse(to_csv(rows), NAME)


def test_an_export_without_an_nps_question_cannot_be_read(rows):
    rows[0][rows[0].index("Q1_NPS_GROUP")] = "Q1_GROUP"
    rows[2][rows[0].index("Q1_GROUP")] = '{"ImportId":"QID1_GROUP"}'
    with pytest.raises(UnreadableFile, match="expected exactly one NPS question .*found none"):
        parse(to_csv(rows), NAME)


def test_a_truncated_export_rejects_its_cut_row(sample):
    data = sample(SAMPLE)
    parsed = parse(data[: data.rindex(b",email,EN,8")], NAME)
    assert len(parsed.records) == 2
    assert [(r.source_line, r.reason) for r in parsed.rejects] == [(6, "expected 21 cells as in the header, got 15")]


def test_an_empty_file_cannot_be_read():
    with pytest.raises(UnreadableFile, match=r"cannot be read: expected a Qualtrics CSV export .*the file is empty"):
        parse(b"", NAME)
