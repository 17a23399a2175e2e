"""What every connector returns, and the small parsing helpers they share."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from orchestration.lib.landing_safety import excerpt

# How much of a reason or detail a message shows: reasons quote field values, which may be a whole line;
# a file name is only escaped (a vendor's S3 key is long and every character of it is needed to find the file).
MESSAGE_CHARS = 1000
PATH_CHARS = 4096


@dataclass(frozen=True)
class Reject:
    """A record that could not be accepted: where it came from and what was expected."""

    source_file: str
    source_line: int  # 1-based line of a text file, or 1-based record index in a JSON document
    reason: str
    raw: str

    def message(self) -> str:
        return f"{excerpt(self.source_file, PATH_CHARS)}:{self.source_line}: {excerpt(self.reason, MESSAGE_CHARS)}"


@dataclass
class Parsed:
    """Canonical records of one entity (fields of ENTITY_SCHEMAS[entity] plus `_source_line`).

    records read = records + rejects (quarantined: they could not be read) + excluded (read fine, and left
    out on purpose by the metric definitions, such as a partial survey response: not a broken record).
    """

    entity: str
    records: list[dict] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    records_read: int = 0
    excluded: list[Reject] = field(default_factory=list)

    def extend(self, other: "Parsed") -> None:
        self.records.extend(other.records)
        self.rejects.extend(other.rejects)
        self.excluded.extend(other.excluded)
        self.records_read += other.records_read


class ExcludedRecord(ValueError):
    """A readable record the metric definitions leave out on purpose; the message is the reason, short and
    stable (it is counted by reason), e.g. "partial response"."""


class UnreadableFile(ValueError):
    """The file cannot be read as its format at all (wrong header, not JSON): its partition fails."""

    def __init__(self, source_file: str, expected: str, detail: str = ""):
        self.source_file = source_file
        detail = f" ({excerpt(detail, MESSAGE_CHARS)})" if detail else ""
        super().__init__(f"{excerpt(source_file, PATH_CHARS)}: cannot be read: expected {expected}{detail}")


def decode_utf8(data: bytes, source_file: str, expected: str) -> str:
    """The one decoding rule of every landing file: strict UTF-8, a leading byte-order mark dropped. A byte
    that is not UTF-8 fails the file naming its line and byte offset: replacing it would publish names as
    `Jos\ufffd`, and guessing another encoding would read some files one way and some another."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise UnreadableFile(
            source_file,
            expected,
            f"not UTF-8 text: line {line}, byte offset {error.start}: {error.reason}; export the file as UTF-8",
        ) from None


def parse_timestamp(value: object) -> datetime:
    """RFC 3339 / ISO 8601 text to an aware UTC datetime; naive values are taken as UTC."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected an RFC 3339 timestamp, got {value!r}")
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"expected an RFC 3339 timestamp, got {value!r}") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00, whose UTC time falls before year 1
        raise ValueError(f"expected an RFC 3339 timestamp between years 1 and 9999 in UTC, got {value!r}") from None


def parse_date(value: object) -> date:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a date YYYY-MM-DD, got {value!r}")
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise ValueError(f"expected a date YYYY-MM-DD, got {value!r}") from None


def epoch_millis_to_utc(value: object) -> datetime:
    """Epoch milliseconds (int or digit string, as Cursor exports them) to an aware UTC datetime."""
    try:
        millis = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"expected epoch milliseconds, got {value!r}") from None
    return datetime.fromtimestamp(millis / 1000, tz=UTC)
