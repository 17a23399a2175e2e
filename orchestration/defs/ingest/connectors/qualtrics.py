"""Qualtrics CSV response exports -> survey_responses.

Folder: landing/surveys/qualtrics/. A Qualtrics CSV export starts with three header rows: the column
ids (`ResponseId`, `Q1`, ...), the question texts, and one `{"ImportId": ..., "timeZone": ...}`
JSON object per column. Then one row per response. A file without the three header rows (or with
a third row that is not ImportId JSON), an empty file, a header missing ResponseId, Finished,
Progress or both RecordedDate and EndDate, or a survey without exactly one NPS question cannot be
read. `_source_line` is the physical line a response row starts on.

Per response:
- response_id = ResponseId
- survey_id = the `survey_id` argument, else the file name without its extension
- identity = RecipientEmail, else ExternalReference (often an employee id), else null
- tool = the cell of a column named `tool` (any case, e.g. embedded data "Tool"), null when the
  export has no such column or the cell is empty: a survey about one tool names it that way
- score = the NPS question's 0-10 answer: the column whose ImportId is like QID1 and that has a
  sibling `<column>_NPS_GROUP` (the group column itself is ignored). "10 - Extremely likely"
  (choice text) reads as 10.
- submitted_at = RecordedDate (EndDate when the export has no RecordedDate), in the timeZone its
  ImportId header names (e.g. America/Denver), converted to UTC; a value with its own offset keeps
  it; no timeZone means UTC.
Excluded by definition (counted by reason beside the quarantine, never against its tolerance: an ordinary
export has a few respondents who did not finish): partial responses (Finished = 0 or Progress < 100) and
survey previews, tests and spam (Status 1, 2, 8, 9, 12, 17, or their labels). Other columns are ignored.
"""

import re
from datetime import UTC, datetime, tzinfo
from pathlib import PurePosixPath
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from orchestration.defs.ingest.connectors._common import CsvRow, InvalidJson, RecordError, csv_rows, decode, parse_json
from orchestration.lib.contracts.records import ExcludedRecord, Parsed, Reject, UnreadableFile

EXPECTED = "a Qualtrics CSV export (three header rows: column ids, question texts, ImportId JSON)"

NOT_A_RESPONSE = {
    "1": "survey preview",
    "2": "survey test",
    "8": "spam",
    "9": "preview spam",
    "12": "imported spam",
    "17": "offline survey preview",
    "survey preview": "survey preview",
    "survey test": "survey test",
    "spam": "spam",
    "preview spam": "preview spam",
    "imported spam": "imported spam",
    "offline survey preview": "offline survey preview",
}

_QUESTION_ID = re.compile(r"QID\d+")
_SCORE = re.compile(r"(\d{1,2})(?:\s*-.*)?")


def parse(data: bytes, source_file: str, survey_id: str | None = None) -> Parsed:
    text = decode(data, source_file, EXPECTED)
    if not text.strip():
        raise UnreadableFile(source_file, EXPECTED, "the file is empty")
    rows = list(csv_rows(text, source_file, EXPECTED))
    layout = _Layout.read(rows[:3], source_file)
    survey = survey_id or PurePosixPath(source_file.replace("\\", "/")).stem
    parsed = Parsed(entity="survey_responses", records_read=len(rows) - 3)
    for row in rows[3:]:
        try:
            record = layout.response(row, survey)
        except ExcludedRecord as exclusion:
            parsed.excluded.append(Reject(source_file, row.line, str(exclusion), row.raw))
            continue
        except RecordError as error:
            parsed.rejects.append(Reject(source_file, row.line, str(error), row.raw))
            continue
        parsed.records.append({**record, "_source_line": row.line})
    return parsed


class _Layout:
    """Where the columns of one export are, read from its three header rows."""

    def __init__(self, columns: list[str], import_ids: list[dict], source_file: str):
        self.columns = columns
        self.source_file = source_file
        missing = [name for name in ("ResponseId", "Finished", "Progress") if name not in columns]
        if "RecordedDate" not in columns and "EndDate" not in columns:
            missing.append("RecordedDate (or EndDate)")
        if missing:
            raise UnreadableFile(source_file, EXPECTED, f"the header lacks {', '.join(missing)}")
        self.submitted = "RecordedDate" if "RecordedDate" in columns else "EndDate"
        self.time_zone = self._time_zone(import_ids[columns.index(self.submitted)].get("timeZone"))
        self.score = self._nps_column(columns, import_ids)
        self.tool = next((name for name in columns if name.lower() == "tool"), None)

    @classmethod
    def read(cls, header_rows: list[CsvRow], source_file: str) -> "_Layout":
        if len(header_rows) < 3:
            raise UnreadableFile(source_file, EXPECTED, f"only {len(header_rows)} header row(s)")
        columns = [name.strip() for name in header_rows[0].cells]
        if any(len(row.cells) != len(columns) for row in header_rows[1:]):
            raise UnreadableFile(source_file, EXPECTED, "the three header rows differ in length")
        import_ids = []
        for cell in header_rows[2].cells:
            try:
                value = parse_json(cell)
            except InvalidJson:
                value = None
            if not isinstance(value, dict) or "ImportId" not in value:
                detail = f'line {header_rows[2].line} holds {cell!r}, not {{"ImportId": ...}}'
                raise UnreadableFile(source_file, EXPECTED, detail)
            import_ids.append(value)
        return cls(columns, import_ids, source_file)

    def _time_zone(self, name: object) -> tzinfo:
        if name is None or name in ("Z", "UTC", "Etc/UTC"):
            return UTC
        try:
            return ZoneInfo(str(name))
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder of zones such as "America"
            raise UnreadableFile(
                self.source_file, EXPECTED, f"unknown timeZone {name!r} for {self.submitted}"
            ) from None

    def _nps_column(self, columns: list[str], import_ids: list[dict]) -> str:
        known_ids = {str(entry.get("ImportId")) for entry in import_ids}
        candidates = [
            name
            for name, entry in zip(columns, import_ids, strict=True)
            if _QUESTION_ID.fullmatch(str(entry.get("ImportId")))
            and (f"{name}_NPS_GROUP" in columns or f"{entry['ImportId']}_NPS_GROUP" in known_ids)
        ]
        if len(candidates) != 1:
            found = ", ".join(candidates) if candidates else "none"
            raise UnreadableFile(
                self.source_file,
                EXPECTED,
                f"expected exactly one NPS question (a QID column with a sibling <column>_NPS_GROUP), found {found}",
            )
        return candidates[0]

    def response(self, row: CsvRow, survey_id: str) -> dict:
        if len(row.cells) != len(self.columns):
            raise RecordError(f"expected {len(self.columns)} cells as in the header, got {len(row.cells)}")
        cells = {name: value.strip() for name, value in zip(self.columns, row.cells, strict=True)}
        status = NOT_A_RESPONSE.get(cells.get("Status", "").lower())
        if status:
            raise ExcludedRecord(status)
        finished, progress = _finished(cells["Finished"]), _progress(cells["Progress"])
        if not finished or progress < 100:
            raise ExcludedRecord("partial response")
        if not cells["ResponseId"]:
            raise RecordError("expected ResponseId (the response id), got an empty cell")
        return {
            "response_id": cells["ResponseId"],
            "survey_id": survey_id,
            "identity": cells.get("RecipientEmail") or cells.get("ExternalReference") or None,
            "tool": (cells[self.tool] or None) if self.tool else None,
            "score": _score(self.score, cells[self.score]),
            "submitted_at": self._submitted_at(cells[self.submitted]),
        }

    def _submitted_at(self, value: str) -> datetime:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise RecordError(f"expected {self.submitted} as YYYY-MM-DD HH:MM:SS, got {value!r}") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.time_zone)
        try:
            return moment.astimezone(UTC)
        except OverflowError:  # e.g. 0001-01-01 00:00:00 east of UTC falls before year 1
            raise RecordError(f"expected {self.submitted} between years 1 and 9999 in UTC, got {value!r}") from None


def _finished(value: str) -> bool:
    normalised = value.lower()
    if normalised in ("1", "true"):
        return True
    if normalised in ("0", "false"):
        return False
    raise RecordError(f"expected Finished 1 or 0, got {value!r}")


def _progress(value: str) -> int:
    try:
        progress = float(value)
    except ValueError:
        progress = -1.0
    if not 0 <= progress <= 100 or not progress.is_integer():
        raise RecordError(f"expected Progress (an integer 0-100), got {value!r}")
    return int(progress)


def _score(column: str, value: str) -> int:
    match = _SCORE.fullmatch(value)
    if match is None or int(match.group(1)) > 10:
        raise RecordError(f"expected {column} (the NPS score, an integer 0-10), got {value!r}")
    return int(match.group(1))
