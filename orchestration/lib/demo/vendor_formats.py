"""The demo through the vendor formats: a generic-contract landing rewritten as vendor exports.

`write_vendor_formats(generic_landing, vendor_landing)` copies a generic landing (as `generate` writes it)
and moves into DESIGN.md's vendor folders everything a vendor format can say exactly, so that ingest and
dbt build the same marts from either landing. The vendor files follow the public samples in
../shared/formats (field names, units, layouts); the values come from the generic files through each
connector's mapping in reverse, so every count round-trips exactly.

What moves (one vendor file per UTC day for the daily sources, empty when the day has nothing):
- usage of github_copilot -> usage/github_copilot_users_1_day/ (NDJSON user-day reports): interaction =
  user_initiated_interaction_count, suggestion_shown = code_generation_activity_count,
  suggestion_accepted = code_acceptance_activity_count; identity = user_login;
- usage of claude_code -> usage/claude_code_analytics/ (pages of at most 1,000 records): interaction =
  num_sessions, code_edit_accepted = tool_actions.*.accepted (spread over the edit tools),
  commit_created = commits_by_claude_code, pull_request_created = pull_requests_by_claude_code;
  identity = actor.email_address of a user_actor;
- usage of cursor -> usage/cursor_daily_usage/ (date in epoch milliseconds): interaction = the request
  counters (spread over chat, composer, agent and cmd-k) with isActive = interaction > 0,
  suggestion_shown = totalTabsShown, suggestion_accepted = totalTabsAccepted, code_edit_accepted =
  totalAccepts; identity = email;
- usage of amazon_q -> usage/amazon_q_user_activity/AWSLogs/.../yyyy/mm/dd/00/*.csv (S3 key layout, Date
  as MM-DD-YYYY, quoted UserId, empty cells for 0, part files of 1,000 users): interaction =
  Chat_MessagesSent, suggestion_shown = Inline_SuggestionsCount, suggestion_accepted =
  Inline_AcceptanceCount, code_edit_accepted = Dev_AcceptanceEventCount; identity = the vendor user id
  (resolved through identities.csv, as in the generic files);
- grants of github_copilot -> licences/github_copilot_seats/ (the seat list as of the last day, pages of
  100; created_at with a -06:00 offset as the API writes it, pending_cancellation_date = the revocation
  date);
- grants of cursor that were never revoked and are dated inside the data window ->
  licences/cursor_team_members/cursor_team_members_<grant day>.json, one file per grant day listing the
  members who joined that day. The members list has no dates: the connector dates a member's grant by
  the file's day, so a file per grant day is what keeps each grant's date (a series of cumulative
  snapshots would read as one grant per snapshot);
- deployments of final state success, failure or error, without rollback_of and with lines_changed not
  0 -> deployments/github_deployment_status/ (an in_progress payload, then the final one). The repository
  full_name is the service id, the deployment id is kept (webhooks carry an integer; the connector takes
  any id, and rollback_of and the guard signals name these ids), triggered_by becomes the creator's
  GitHub login (an email is mapped to the roster's github_login, so it resolves to the same engineer);
- survey responses -> surveys/qualtrics/<survey_id>.csv (Qualtrics' three header rows, times in UTC, the
  tool as embedded data, the respondent as RecipientEmail).

What stays generic, and why:
- roster, teams, services, identities, reference overrides: no vendor format carries them;
- internal_chat usage: no vendor format (an internal tool);
- all usage of a bot-like identity (more than bot_max_value_events_per_minute value-deriving events in a
  UTC minute on some day, found with the same rule ingest applies): vendor reports are daily aggregates
  without minute resolution, so the bot guard cannot see a bot in them (DESIGN.md); kept as events, the
  bot is flagged and excluded exactly as with the generic landing;
- usage whose identity is not of the vendor's kind (e.g. an email in Copilot usage) or whose activity
  types the vendor does not report: the connector would read it differently;
- Amazon Q user-days with accepted suggestions or edits but no interaction: AWS counts that engineer
  active (accepting is user-initiated), the generic contract does not, so a report row would add an
  active user the generic landing does not have;
- deployments with status rolled_back (no such webhook state), a rollback_of (webhooks have no such
  field; the revert rule needs it), lines_changed = 0 (webhooks have no line counts: the zero-line spam
  rule needs the 0; a count above 0 becomes null, which only fct_deployments.lines_changed shows), or a
  triggered_by email that is not on the roster (a contractor: no GitHub login to give);
- grants of claude_code and amazon_q (no seat export format), cursor grants revoked or dated before the
  data window (a members list cannot say either without widening the run window `aaw` reads from dated
  file names);
- records the generic parsers reject stay where they were, so they are quarantined exactly as before.
"""

import csv
import io
import json
import re
import shutil
import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from orchestration.defs.ingest.connectors import generic
from orchestration.lib import reference

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
class _Landing:
    """The copied landing and what the conversion reads from it."""

    root: Path
    catalogue: generic.Catalogue
    bot_threshold: float
    logins: dict[str, str]  # roster email (lower case) -> github_login
    days: list[date]  # the days named by generic deployments and usage files

    @classmethod
    def read(cls, root: Path) -> "_Landing":
        logins = {}
        for path in sorted((root / "roster").glob("*.csv")):
            with path.open(newline="", encoding="utf-8-sig") as handle:
                for row in csv.DictReader(handle):
                    email, login = (row.get("email") or "").strip(), (row.get("github_login") or "").strip()
                    if email and login:
                        logins[email.lower()] = login
        days = sorted({day for folder in ("deployments", "usage") for day in _files_by_day(root / folder)})
        return cls(
            root,
            reference.load_catalogue(root),
            reference.metric_vars(root)["bot_max_value_events_per_minute"],
            logins,
            days,
        )

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


def write_vendor_formats(generic_landing: Path, vendor_landing: Path) -> None:
    """Write the generic landing's data into `vendor_landing` through the vendor formats (see module doc)."""
    source, target = Path(generic_landing).resolve(), Path(vendor_landing).resolve()
    if source == target:
        raise ValueError(f"{target}: write the vendor landing beside the generic one, not over it")
    if target.exists() and any(target.iterdir()):
        raise ValueError(f"{target}: not empty; the vendor landing is written into an empty folder")
    shutil.copytree(source, target, dirs_exist_ok=True)
    landing = _Landing.read(target)
    _convert_usage(landing)
    _convert_deployments(landing)
    _convert_grants(landing)
    _convert_surveys(landing)


# ---- shared helpers ----------------------------------------------------------------------------


def _files_by_day(folder: Path) -> dict[date, list[Path]]:
    """Generic daily files (YYYY-MM-DD*.ndjson at the top of a folder) grouped by their day."""
    days: dict[date, list[Path]] = defaultdict(list)
    for path in sorted(folder.glob("*.ndjson")) if folder.is_dir() else []:
        found = DAY_FILE.match(path.name)
        if found:
            days[date.fromisoformat(found.group(1))].append(path)
    return days


def _write_json(path: Path, document: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")


def _write_ndjson(path: Path, documents: Iterable[object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(document) + "\n" for document in documents), encoding="utf-8")


def _drop_lines(data: bytes, drop: set[int]) -> bytes:
    """The file without the given 1-based lines (every other byte kept as it was)."""
    return b"\n".join(line for number, line in enumerate(data.split(b"\n"), start=1) if number not in drop)


def _number(text: str) -> int:
    """A stable numeric id for a login or email (vendors' user ids are numbers)."""
    return zlib.crc32(text.lower().encode()) % 90_000_000 + 10_000_000


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _epoch_millis(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) * 1000


def _spread(total: int, shares: tuple[int, ...]) -> list[int]:
    """`total` split into parts of the given shares (integer parts summing exactly to `total`)."""
    parts = [total * share // sum(shares) for share in shares]
    parts[0] += total - sum(parts)
    return parts


# ---- usage -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _UsageDay:
    files: list[tuple[str, bytes]]  # (relative name, bytes) of the day's generic files
    parsed: generic.ParsedUsage


def _convert_usage(landing: _Landing) -> None:
    days = {
        day: _UsageDay(files, generic.parse_usage_events(files, day, landing.catalogue))
        for day, paths in _files_by_day(landing.root / "usage").items()
        for files in [[(landing.relative(path), path.read_bytes()) for path in paths]]
    }
    bots = {
        identity.lower()
        for usage in days.values()
        for identity, peak in zip(
            usage.parsed.activity.column("identity").to_pylist(),
            usage.parsed.activity.column("peak_events_per_minute").to_pylist(),
            strict=True,
        )
        if peak is not None and peak > landing.bot_threshold
    }
    for day, usage in days.items():
        groups = _vendor_groups(usage.parsed.activity.to_pylist(), bots)
        for tool, write in USAGE_WRITERS.items():
            rows = sorted((identity, counts) for (identity, group_tool), counts in groups.items() if group_tool == tool)
            write(landing.root, day, rows)
        rejected = defaultdict(set)
        for reject in usage.parsed.rejects:
            rejected[reject.source_file].add(reject.source_line)
        for name, data in usage.files:
            drop = {
                number
                for number, line in enumerate(data.split(b"\n"), start=1)
                if line.strip() and number not in rejected[name] and _event_key(line) in groups
            }
            (landing.root / name).write_bytes(_drop_lines(data, drop))


def _event_key(line: bytes) -> tuple[str, str]:
    event = json.loads(line)
    return str(event["identity"]).strip(), str(event["tool"]).strip()


def _vendor_groups(activity: list[dict], bots: set[str]) -> dict[tuple[str, str], dict[str, int]]:
    """The (identity, tool) groups of one day a vendor format can carry exactly, with their counts."""
    groups: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    kinds: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in activity:
        key = (row["identity"], row["tool"])
        groups[key][row["activity_type"]] = row["activity_count"]
        kinds[key].add(row["identity_type"])
    return {
        key: counts
        for key, counts in groups.items()
        if key[1] in VENDOR_USAGE
        and key[0].lower() not in bots
        and kinds[key] == {VENDOR_USAGE[key[1]][0]}
        and set(counts) <= VENDOR_USAGE[key[1]][1]
        and not (key[1] == "amazon_q" and _active_only_by_accepting(counts))
    }


def _active_only_by_accepting(counts: dict[str, int]) -> bool:
    """Acceptances without an interaction: inactive in the generic contract, active in an Amazon Q report."""
    accepted = counts.get("suggestion_accepted", 0) + counts.get("code_edit_accepted", 0)
    return accepted > 0 and counts.get("interaction", 0) == 0


def _write_copilot(root: Path, day: date, rows: list[tuple[str, dict[str, int]]]) -> None:
    reports = [
        {
            "day": day.isoformat(),
            "enterprise_id": ENTERPRISE_ID,
            "user_id": _number(login),
            "user_login": login,
            "user_initiated_interaction_count": counts.get("interaction", 0),
            "code_generation_activity_count": counts.get("suggestion_shown", 0),
            "code_acceptance_activity_count": counts.get("suggestion_accepted", 0),
            "loc_suggested_to_add_sum": 0,
            "loc_suggested_to_delete_sum": 0,
            "loc_added_sum": 0,
            "loc_deleted_sum": 0,
            "totals_by_ide": [],
            "totals_by_feature": [],
            "totals_by_language_feature": [],
            "totals_by_language_model": [],
            "totals_by_model_feature": [],
            "used_agent": False,
            "used_chat": counts.get("interaction", 0) > 0,
            "used_cli": False,
        }
        for login, counts in rows
    ]
    _write_ndjson(
        root / "usage" / "github_copilot_users_1_day" / f"copilot_users_1_day_{day.isoformat()}.ndjson", reports
    )


def _write_claude_code(root: Path, day: date, rows: list[tuple[str, dict[str, int]]]) -> None:
    records = []
    for email, counts in rows:
        edit, multi_edit, write = _spread(counts.get("code_edit_accepted", 0), (6, 3, 1))
        records.append(
            {
                "date": f"{day.isoformat()}T00:00:00Z",
                "actor": {"type": "user_actor", "email_address": email},
                "organization_id": ORGANIZATION_ID,
                "customer_type": "subscription",
                "terminal_type": "vscode",
                "core_metrics": {
                    "num_sessions": counts.get("interaction", 0),
                    "lines_of_code": {"added": 0, "removed": 0},
                    "commits_by_claude_code": counts.get("commit_created", 0),
                    "pull_requests_by_claude_code": counts.get("pull_request_created", 0),
                },
                "tool_actions": {
                    "edit_tool": {"accepted": edit, "rejected": 0},
                    "multi_edit_tool": {"accepted": multi_edit, "rejected": 0},
                    "write_tool": {"accepted": write, "rejected": 0},
                    "notebook_edit_tool": {"accepted": 0, "rejected": 0},
                },
                "model_breakdown": [],
            }
        )
    folder = root / "usage" / "claude_code_analytics"
    pages = [records[start : start + CLAUDE_PAGE] for start in range(0, len(records), CLAUDE_PAGE)] or [[]]
    for number, page in enumerate(pages, start=1):
        has_more = number < len(pages)
        _write_json(
            folder / f"claude_code_{day.isoformat()}_page_{number}.json",
            {"data": page, "has_more": has_more, "next_page": f"page_{number + 1}" if has_more else None},
        )


def _write_cursor(root: Path, day: date, rows: list[tuple[str, dict[str, int]]]) -> None:
    records = []
    for email, counts in rows:
        requests = counts.get("interaction", 0)
        chat, composer, agent, cmdk = _spread(requests, (4, 2, 1, 1))
        records.append(
            {
                "date": _epoch_millis(day),
                "isActive": requests > 0,
                "totalLinesAdded": 0,
                "totalLinesDeleted": 0,
                "acceptedLinesAdded": 0,
                "acceptedLinesDeleted": 0,
                "totalApplies": counts.get("code_edit_accepted", 0),
                "totalAccepts": counts.get("code_edit_accepted", 0),
                "totalRejects": 0,
                "totalTabsShown": counts.get("suggestion_shown", 0),
                "totalTabsAccepted": counts.get("suggestion_accepted", 0),
                "composerRequests": composer,
                "chatRequests": chat,
                "agentRequests": agent,
                "cmdkUsages": cmdk,
                "subscriptionIncludedReqs": requests,
                "apiKeyReqs": 0,
                "usageBasedReqs": 0,
                "bugbotUsages": 0,
                "email": email,
            }
        )
    period = {"startDate": _epoch_millis(day), "endDate": _epoch_millis(day + timedelta(days=1)) - 1}
    _write_json(
        root / "usage" / "cursor_daily_usage" / f"cursor_daily_usage_{day.isoformat()}.json",
        {"data": records, "period": period},
    )


def _write_amazon_q(root: Path, day: date, rows: list[tuple[str, dict[str, int]]]) -> None:
    folder = (
        root
        / "usage"
        / "amazon_q_user_activity"
        / f"AWSLogs/{AWS_ACCOUNT}/QDeveloperLogs/by_user_analytic/{AWS_REGION}/{day:%Y/%m/%d}/00"
    )
    folder.mkdir(parents=True, exist_ok=True)
    stamp = f"{day + timedelta(days=1):%Y%m%d}T001500Z"
    lines = []
    for user_id, counts in rows:
        cells = dict.fromkeys(AMAZON_Q_COLUMNS[2:], "")
        for activity_type, column in AMAZON_Q_CELLS.items():
            cells[column] = str(counts[activity_type]) if counts.get(activity_type) else ""
        lines.append(",".join([f'"{user_id}"', f"{day:%m-%d-%Y}", *cells.values()]) + "\n")
    parts = [lines[start : start + AMAZON_Q_PART] for start in range(0, len(lines), AMAZON_Q_PART)] or [[]]
    for number, part in enumerate(parts, start=1):
        (folder / f"{AWS_ACCOUNT}_by_user_analytic_{stamp}_part_{number}.csv").write_text(
            ",".join(AMAZON_Q_COLUMNS) + "\n" + "".join(part), encoding="utf-8"
        )


USAGE_WRITERS = {
    "github_copilot": _write_copilot,
    "claude_code": _write_claude_code,
    "cursor": _write_cursor,
    "amazon_q": _write_amazon_q,
}


# ---- deployments -------------------------------------------------------------------------------


def _convert_deployments(landing: _Landing) -> None:
    status_id = 0
    for day, paths in _files_by_day(landing.root / "deployments").items():
        payloads, converted_lines = [], defaultdict(set)
        for path in paths:
            name = landing.relative(path)
            data = path.read_bytes()
            for record in generic.parse_deployments(data, name, day).records:
                creator = _creator(record["triggered_by"], landing.logins)
                if (record["triggered_by"] and not creator) or not _webhook_can_say(record):
                    continue
                for state in ("in_progress", record["status"]):
                    status_id += 1
                    payloads.append(_deployment_status_payload(record, state, creator, status_id))
                converted_lines[name].add(record["_source_line"])
            path.write_bytes(_drop_lines(data, converted_lines[name]))
        target = (
            landing.root / "deployments" / "github_deployment_status" / f"deployment_status_{day.isoformat()}.ndjson"
        )
        _write_ndjson(target, payloads)


def _webhook_can_say(record: dict) -> bool:
    """A deploy a webhook carries without changing a metric or guard (see the module docstring)."""
    return record["status"] in WEBHOOK_STATES and record["rollback_of"] is None and record["lines_changed"] != 0


def _creator(triggered_by: str | None, logins: dict[str, str]) -> str | None:
    """The GitHub login that resolves like `triggered_by` (an email becomes its roster github_login);
    None when there is none, or when an email names no roster engineer."""
    if triggered_by is None or "@" not in triggered_by:
        return triggered_by
    return logins.get(triggered_by.lower())


def _deployment_status_payload(record: dict, state: str, creator: str | None, status_id: int) -> dict:
    service, deployment_id = record["service"], record["deployment_id"]
    final = state == record["status"]
    at = record["deployed_at"] - (timedelta(0) if final else timedelta(minutes=2))
    api = f"https://api.github.com/repos/{service}"
    person = (
        {"login": creator, "id": _number(creator), "type": "Bot" if "[bot]" in creator else "User"} if creator else None
    )
    status = {
        "url": f"{api}/deployments/{deployment_id}/statuses/{status_id}",
        "id": status_id,
        "state": state,
        "description": "",
        "environment": record["environment"],
        "created_at": _rfc3339(at),
        "updated_at": _rfc3339(at),
        "deployment_url": f"{api}/deployments/{deployment_id}",
        "repository_url": api,
    }
    deployment = {
        "url": f"{api}/deployments/{deployment_id}",
        "id": deployment_id,
        "sha": record["commit_sha"],
        "ref": "main",
        "task": "deploy",
        "payload": {},
        "original_environment": record["environment"],
        "environment": record["environment"],
        "description": None,
        "created_at": _rfc3339(record["deployed_at"] - timedelta(minutes=3)),
        "updated_at": _rfc3339(at),
        "statuses_url": f"{api}/deployments/{deployment_id}/statuses",
        "repository_url": api,
    }
    if person:
        status["creator"] = deployment["creator"] = person
    payload = {
        "action": "created",
        "deployment_status": status,
        "deployment": deployment,
        "repository": {"name": service, "full_name": service, "private": True},
    }
    if person:
        payload["sender"] = person
    return payload


# ---- licence grants ----------------------------------------------------------------------------


def _convert_grants(landing: _Landing) -> None:
    window = (landing.days[0], landing.days[-1]) if landing.days else None
    seats, members = [], defaultdict(list)
    for path in sorted((landing.root / "licences").glob("*.csv")):
        data, converted = path.read_bytes(), set()
        for grant in generic.parse_licence_grants(data, landing.relative(path), landing.catalogue).records:
            if grant["tool"] == "github_copilot" and grant["identity_type"] == "login":
                seats.append(_seat(grant))
            elif (
                grant["tool"] == "cursor"
                and grant["identity_type"] == "email"
                and grant["revoked_at"] is None
                and window is not None
                and window[0] <= grant["granted_at"].date() <= window[1]
            ):
                members[grant["granted_at"].date()].append(_member(grant))
            else:
                continue
            converted.add(grant["_source_line"])
        _rewrite_csv(path, data, converted)
    folder = landing.root / "licences" / "github_copilot_seats"
    suffix = f"_{window[1].isoformat()}" if window else ""
    pages = [seats[start : start + SEATS_PAGE] for start in range(0, len(seats), SEATS_PAGE)]
    for number, page in enumerate(pages, start=1):
        _write_json(
            folder / f"github_copilot_seats{suffix}_page_{number}.json", {"total_seats": len(seats), "seats": page}
        )
    for day, listed in sorted(members.items()):
        _write_json(
            landing.root / "licences" / "cursor_team_members" / f"cursor_team_members_{day.isoformat()}.json",
            {"teamMembers": listed},
        )


def _seat(grant: dict) -> dict:
    seat = {
        "created_at": grant["granted_at"].astimezone(GITHUB_OFFSET).isoformat(),
        "updated_at": grant["granted_at"].astimezone(GITHUB_OFFSET).isoformat(),
        "pending_cancellation_date": grant["revoked_at"].date().isoformat() if grant["revoked_at"] else None,
        "last_activity_at": None,
        "last_activity_editor": None,
    }
    if grant["plan"]:
        seat["plan_type"] = grant["plan"]
    seat["assignee"] = {"login": grant["identity"], "id": _number(grant["identity"]), "type": "User"}
    return seat


def _member(grant: dict) -> dict:
    return {"name": grant["identity"].split("@")[0], "email": grant["identity"], "role": "member"}


def _rewrite_csv(path: Path, data: bytes, drop_lines: set[int]) -> None:
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


# ---- surveys -----------------------------------------------------------------------------------


def _convert_surveys(landing: _Landing) -> None:
    surveys: dict[str, list[dict]] = defaultdict(list)
    for path in sorted((landing.root / "surveys").glob("*.csv")):
        data, converted = path.read_bytes(), set()
        for response in generic.parse_survey_responses(data, landing.relative(path)).records:
            if SURVEY_ID.match(response["survey_id"]):
                surveys[response["survey_id"]].append(response)
                converted.add(response["_source_line"])
        _rewrite_csv(path, data, converted)
    for survey_id, responses in surveys.items():
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([column for column, _, _ in QUALTRICS_COLUMNS])
        writer.writerow([text for _, text, _ in QUALTRICS_COLUMNS])
        writer.writerow([json.dumps(import_id, separators=(",", ":")) for _, _, import_id in QUALTRICS_COLUMNS])
        writer.writerows(_qualtrics_row(response) for response in responses)
        target = landing.root / "surveys" / "qualtrics" / f"{survey_id}.csv"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(out.getvalue(), encoding="utf-8")


def _qualtrics_time(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def _qualtrics_row(response: dict) -> list[str]:
    submitted, score, email = response["submitted_at"], response["score"], response["identity"] or ""
    group = "3" if score >= 9 else "2" if score >= 7 else "1"  # promoter, passive, detractor
    return [
        _qualtrics_time(submitted - timedelta(minutes=2)),
        _qualtrics_time(submitted),
        "0",
        "",
        "100",
        "120",
        "1",
        _qualtrics_time(submitted),
        response["response_id"],
        "",
        "",
        email,
        "",
        "",
        "",
        "email" if email else "anonymous",
        "EN",
        str(score),
        group,
        response["tool"] or "",
    ]
