"""Amazon Q Developer user activity report CSV -> tool_activity."""

from datetime import date

import pytest

from orchestration.defs.ingest.connectors.amazon_q_user_activity import parse
from orchestration.lib.contracts.records import UnreadableFile

SAMPLE = "amazon_q_user_activity.csv"
NAME = (
    "usage/amazon_q_user_activity/AWSLogs/111122223333/QDeveloperLogs/by_user_analytic/us-east-1/"
    "2025/04/17/00/111122223333_by_user_analytic_1744934400_part_1.csv"
)
USER_1 = "90676d5b-e061-70a4-f79e-2f8e0ee4c9f7"
USER_2 = "a4c8f1e2-30b1-7094-5d2e-6b1f0c9a8e31"
USER_3 = "c2e9d7a0-9051-70f3-2b44-8d0a5e6f1c72"


def activity(user: str, activity_type: str, count: int, line: int) -> dict:
    return {
        "identity": user,
        "identity_type": "vendor_id",
        "tool": "amazon_q",
        "activity_date": date(2025, 4, 17),
        "activity_type": activity_type,
        "activity_count": count,
        "first_at": None,
        "last_at": None,
        "peak_events_per_minute": None,
        "_source_line": line,
    }


@pytest.fixture
def lines(sample) -> list[str]:
    return sample(SAMPLE).decode().splitlines()


def csv_text(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def test_sample_report(sample, check_canonical):
    parsed = parse(sample(SAMPLE), NAME)
    check_canonical(parsed)
    assert parsed.records == [
        # line 2: 69 chat messages; 70 inline suggestions, 49 accepted
        activity(USER_1, "interaction", 69, 2),
        activity(USER_1, "suggestion_shown", 70, 2),
        activity(USER_1, "suggestion_accepted", 49, 2),
        # line 3: only Chat_MessagesSent = 3, every other cell empty (= 0)
        activity(USER_2, "interaction", 3, 3),
        # line 4: 10 chat messages + 3 inline chats + 1 /dev + 1 /test generation
        activity(USER_3, "interaction", 15, 4),
        activity(USER_3, "suggestion_shown", 31, 4),
        activity(USER_3, "suggestion_accepted", 5, 4),
        # 1 /dev + 2 inline chat + 2 code fix acceptances
        activity(USER_3, "code_edit_accepted", 5, 4),
    ]
    assert parsed.rejects == [] and parsed.records_read == 3


def test_date_is_month_day_year_and_iso_or_day_first_dates_are_rejected(lines):
    lines[1] = lines[1].replace("04-17-2025", "2025-04-17")
    lines[2] = lines[2].replace("04-17-2025", "17-04-2025")
    parsed = parse(csv_text(lines), NAME)
    assert [(r.source_line, r.reason) for r in parsed.rejects] == [
        (2, "expected Date as MM-DD-YYYY, got '2025-04-17'"),
        (3, "expected Date as MM-DD-YYYY, got '17-04-2025'"),
    ]
    assert {r["identity"] for r in parsed.records} == {USER_3} and parsed.records_read == 3


def test_a_row_of_empty_metric_cells_is_read_but_yields_no_record(lines):
    empty_row = f'"{USER_2}",04-17-2025' + "," * 44  # the id, the date and 44 empty metric cells
    parsed = parse(csv_text([lines[0], empty_row]), NAME)
    assert (parsed.records, parsed.rejects, parsed.records_read) == ([], [], 1)


def test_a_cell_that_is_not_a_count_is_rejected_naming_the_column(lines):
    lines[2] = lines[2].replace(",3,", ",three,")
    parsed = parse(csv_text(lines), NAME)
    assert [(r.source_line, r.reason) for r in parsed.rejects] == [
        (3, "expected Chat_MessagesSent (a non-negative integer or empty), got 'three'")
    ]


def test_a_renamed_column_makes_the_file_unreadable_naming_it(lines):
    lines[0] = lines[0].replace("Inline_SuggestionsCount", "Inline_SuggestionCount")
    with pytest.raises(UnreadableFile, match=r"cannot be read: .*\(the header lacks Inline_SuggestionsCount\)$"):
        parse(csv_text(lines), NAME)


def test_a_new_column_and_a_new_order_are_tolerated(sample):
    rows = [line.split(",") for line in sample(SAMPLE).decode().splitlines()]
    reordered = [[*row[2:], row[1], row[0], "7" if number else "Agentic_NewMetric"] for number, row in enumerate(rows)]
    parsed = parse(csv_text([",".join(row) for row in reordered]), NAME)
    assert parsed.records == parse(sample(SAMPLE), NAME).records


def test_a_truncated_last_row_is_rejected_and_earlier_rows_kept(sample):
    data = sample(SAMPLE)
    parsed = parse(data[: data.rindex(b",52,")], NAME)  # cut after Inline_SuggestionsCount, the 38th cell
    assert {r["identity"] for r in parsed.records} == {USER_1, USER_2}
    assert [(r.source_line, r.reason) for r in parsed.rejects] == [(4, "expected 46 cells as in the header, got 38")]


def test_crlf_line_endings_and_a_byte_order_mark_are_read(sample):
    data = b"\xef\xbb\xbf" + sample(SAMPLE).replace(b"\n", b"\r\n")
    assert parse(data, NAME).records == parse(sample(SAMPLE), NAME).records


def test_a_header_only_report_has_no_users(lines):
    assert parse(csv_text(lines[:1]), NAME).records_read == 0


def test_an_empty_file_cannot_be_read():
    with pytest.raises(UnreadableFile, match=r"cannot be read: expected an Amazon Q Developer .*the file is empty"):
        parse(b"", NAME)


def test_a_file_that_is_not_this_report_names_the_missing_columns():
    with pytest.raises(UnreadableFile, match=r"the header lacks UserId, Date, Chat_MessagesSent"):
        parse(b'{"data": []}\n', NAME)
