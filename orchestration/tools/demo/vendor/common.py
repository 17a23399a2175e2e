"""What every vendor writer shares: the generic landing read once (catalogue, bot identities, roster
logins), the vendors' constants (ids, page sizes, column lists) and small formatting helpers."""

import csv
import io
import json
import re
import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from orchestration.lib import reference
from orchestration.lib.contracts.generic import Catalogue

DAY_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})")
SURVEY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

# tool -> (identity type of its export, activity types it reports)
VENDOR_USAGE = {
    "github_copilot": ("login", frozenset({"interaction", "suggestion_shown", "suggestion_accepted"})),
    "claude_code": (
        "email",
        frozenset({"interaction", "code_edit_accepted", "commit_created", "pull_request_created"}),
    ),
    "cursor": ("email", frozenset({"interaction", "suggestion_shown", "suggestion_accepted", "code_edit_accepted"})),
    "amazon_q": (
        "vendor_id",
        frozenset({"interaction", "suggestion_shown", "suggestion_accepted", "code_edit_accepted"}),
    ),
}
WEBHOOK_STATES = frozenset({"success", "failure", "error"})

ENTERPRISE_ID = "1"
ORGANIZATION_ID = "5b1e0c7a-3f2d-4e8a-9c61-2d7f4a8b9e10"
AWS_ACCOUNT = "111122223333"
AWS_REGION = "us-east-1"
GITHUB_OFFSET = timezone(timedelta(hours=-6))
CLAUDE_PAGE = 1000
AMAZON_Q_PART = 1000
SEATS_PAGE = 100
PULLS_PAGE = 100  # the REST list endpoint's largest per_page

# fmt: off
AMAZON_Q_COLUMNS = (
    "UserId", "Date", "Chat_AICodeLines", "Chat_MessagesInteracted", "Chat_MessagesSent",
    "CodeFix_AcceptanceEventCount", "CodeFix_AcceptedLines", "CodeFix_GeneratedLines", "CodeFix_GenerationEventCount",
    "CodeReview_FailedEventCount", "CodeReview_FindingsCount", "CodeReview_SucceededEventCount",
    "Dev_AcceptanceEventCount", "Dev_AcceptedLines", "Dev_GeneratedLines", "Dev_GenerationEventCount",
    "DocGeneration_AcceptedFileUpdates", "DocGeneration_AcceptedFilesCreations", "DocGeneration_AcceptedLineAdditions",
    "DocGeneration_AcceptedLineUpdates", "DocGeneration_EventCount", "DocGeneration_RejectedFileCreations",
    "DocGeneration_RejectedFileUpdates", "DocGeneration_RejectedLineAdditions", "DocGeneration_RejectedLineUpdates",
    "InlineChat_AcceptanceEventCount", "InlineChat_AcceptedLineAdditions", "InlineChat_AcceptedLineDeletions",
    "InlineChat_DismissalEventCount", "InlineChat_DismissedLineAdditions", "InlineChat_DismissedLineDeletions",
    "InlineChat_RejectedLineAdditions", "InlineChat_RejectedLineDeletions", "InlineChat_RejectionEventCount",
    "InlineChat_TotalEventCount", "Inline_AICodeLines", "Inline_AcceptanceCount", "Inline_SuggestionsCount",
    "TestGeneration_AcceptedLines", "TestGeneration_AcceptedTests", "TestGeneration_EventCount",
    "TestGeneration_GeneratedLines", "TestGeneration_GeneratedTests", "Transformation_EventCount",
    "Transformation_LinesGenerated", "Transformation_LinesIngested",
)
# fmt: on
AMAZON_Q_CELLS = {
    "interaction": "Chat_MessagesSent",
    "suggestion_shown": "Inline_SuggestionsCount",
    "suggestion_accepted": "Inline_AcceptanceCount",
    "code_edit_accepted": "Dev_AcceptanceEventCount",
}
QUALTRICS_COLUMNS = (
    ("StartDate", "Start Date", {"ImportId": "startDate", "timeZone": "UTC"}),
    ("EndDate", "End Date", {"ImportId": "endDate", "timeZone": "UTC"}),
    ("Status", "Response Type", {"ImportId": "status"}),
    ("IPAddress", "IP Address", {"ImportId": "ipAddress"}),
    ("Progress", "Progress", {"ImportId": "progress"}),
    ("Duration (in seconds)", "Duration (in seconds)", {"ImportId": "duration"}),
    ("Finished", "Finished", {"ImportId": "finished"}),
    ("RecordedDate", "Recorded Date", {"ImportId": "recordedDate", "timeZone": "UTC"}),
    ("ResponseId", "Response ID", {"ImportId": "_recordId"}),
    ("RecipientLastName", "Recipient Last Name", {"ImportId": "recipientLastName"}),
    ("RecipientFirstName", "Recipient First Name", {"ImportId": "recipientFirstName"}),
    ("RecipientEmail", "Recipient Email", {"ImportId": "recipientEmail"}),
    ("ExternalReference", "External Data Reference", {"ImportId": "externalDataReference"}),
    ("LocationLatitude", "Location Latitude", {"ImportId": "locationLatitude"}),
    ("LocationLongitude", "Location Longitude", {"ImportId": "locationLongitude"}),
    ("DistributionChannel", "Distribution Channel", {"ImportId": "distributionChannel"}),
    ("UserLanguage", "User Language", {"ImportId": "userLanguage"}),
    ("Q1", "How likely are you to recommend this AI tool to a colleague?", {"ImportId": "QID1"}),
    (
        "Q1_NPS_GROUP",
        "How likely are you to recommend this AI tool to a colleague? - Group",
        {"ImportId": "QID1_NPS_GROUP"},
    ),
    ("tool", "tool", {"ImportId": "tool"}),
)


@dataclass(frozen=True)
class Landing:
    """The copied landing and what the conversion reads from it."""

    root: Path
    catalogue: Catalogue
    bot_threshold: float
    logins: dict[str, str]  # roster email (lower case) -> github_login
    days: list[date]  # the days named by generic deployments and usage files

    @classmethod
    def read(cls, root: Path) -> "Landing":
        logins = {}
        for path in sorted((root / "roster").glob("*.csv")):
            with path.open(newline="", encoding="utf-8-sig") as handle:
                for row in csv.DictReader(handle):
                    email, login = (row.get("email") or "").strip(), (row.get("github_login") or "").strip()
                    if email and login:
                        logins[email.lower()] = login
        days = sorted({day for folder in ("deployments", "usage") for day in files_by_day(root / folder)})
        return cls(
            root,
            reference.load_catalogue(root),
            reference.metric_vars(root)["bot_max_value_events_per_minute"],
            logins,
            days,
        )

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


def files_by_day(folder: Path) -> dict[date, list[Path]]:
    """Generic daily files (YYYY-MM-DD*.ndjson at the top of a folder) grouped by their day."""
    days: dict[date, list[Path]] = defaultdict(list)
    for path in sorted(folder.glob("*.ndjson")) if folder.is_dir() else []:
        found = DAY_FILE.match(path.name)
        if found:
            days[date.fromisoformat(found.group(1))].append(path)
    return days


def write_json(path: Path, document: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")


def write_ndjson(path: Path, documents: Iterable[object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(document) + "\n" for document in documents), encoding="utf-8")


def _drop_lines(data: bytes, drop: set[int]) -> bytes:
    """The file without the given 1-based lines (every other byte kept as it was)."""
    return b"\n".join(line for number, line in enumerate(data.split(b"\n"), start=1) if number not in drop)


def numeric_id(text: str) -> int:
    """A stable numeric id for a login or email (vendors' user ids are numbers)."""
    return zlib.crc32(text.lower().encode()) % 90_000_000 + 10_000_000


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def epoch_millis(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) * 1000


def spread(total: int, shares: tuple[int, ...]) -> list[int]:
    """`total` split into parts of the given shares (integer parts summing exactly to `total`)."""
    parts = [total * share // sum(shares) for share in shares]
    parts[0] += total - sum(parts)
    return parts


def rewrite_csv(path: Path, data: bytes, drop_lines: set[int]) -> None:
    """Rewrite a generic CSV without the rows ending on the given lines (as csv.DictReader counts them);
    a file left without rows is removed."""
    if not drop_lines:
        return
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    kept = [row for row in reader if reader.line_num not in drop_lines]
    if not kept:
        path.unlink()
        return
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames or [], lineterminator="\n")
    writer.writeheader()
    writer.writerows(kept)
    path.write_text(out.getvalue(), encoding="utf-8")
