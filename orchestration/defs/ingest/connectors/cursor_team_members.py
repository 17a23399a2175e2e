"""Cursor team members (Admin API `GET /teams/members`) -> licence_grants.

Folder: landing/licences/cursor_team_members/. A file is a snapshot of the team's seat roster: a
JSON object with `teamMembers[]`. The response carries no dates, so the snapshot date comes from the
file name, e.g. `cursor_team_members_2025-10-14.json` (the last YYYY-MM-DD in the name); a file name
without a date, an empty file or a document without `teamMembers[]` cannot be read.
`_source_line` is the member's index in `teamMembers[]`.

Per member:
- identity = email, identity_type "email"
- tool = "cursor"
- granted_at = the snapshot date at midnight UTC: the member held a seat on that day. The warehouse
  turns a member's consecutive snapshots into one grant, revoked at the first snapshot that no longer
  lists them (int_licence_grants_resolved; the folder is in dbt var seat_roster_folders).
- revoked_at = null (a snapshot lists current members only)
- plan = role ("owner", "member", "free-owner"; null when absent). Note that a free-owner
  administers the team without a paid seat.
- monthly_cost_usd = null: tools.csv holds the price.
Other keys (name, newer ones) are ignored.
"""

import re
from datetime import date
from pathlib import PurePosixPath

from orchestration.defs.ingest.connectors._common import (
    RecordError,
    dump,
    list_in_object,
    load_json,
    midnight_utc,
    optional_text,
    require_text,
)
from orchestration.lib.contracts.records import Parsed, Reject, UnreadableFile

EXPECTED = "a Cursor team members response (a JSON object with teamMembers[])"
TOOL = "cursor"

_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


def snapshot_date(source_file: str) -> date:
    """The last YYYY-MM-DD in the file name."""
    name = PurePosixPath(source_file.replace("\\", "/")).name
    found = _DATE_IN_NAME.findall(name)
    expected = "a snapshot date YYYY-MM-DD in the file name, e.g. cursor_team_members_2025-10-14.json"
    if not found:
        raise UnreadableFile(source_file, expected, f"no date in {name!r}")
    try:
        return date.fromisoformat(found[-1])
    except ValueError:
        raise UnreadableFile(source_file, expected, f"{found[-1]!r} is not a valid date") from None


def parse(data: bytes, source_file: str) -> Parsed:
    granted_at = midnight_utc(snapshot_date(source_file))
    members = list_in_object(load_json(data, source_file, EXPECTED), "teamMembers", source_file, EXPECTED)
    parsed = Parsed(entity="licence_grants", records_read=len(members))
    for position, member in enumerate(members, start=1):
        try:
            if not isinstance(member, dict):
                raise RecordError("expected a team member (a JSON object)")
            record = {
                "identity": require_text(member, "email"),
                "identity_type": "email",
                "tool": TOOL,
                "granted_at": granted_at,
                "revoked_at": None,
                "plan": optional_text(member, "role"),
                "monthly_cost_usd": None,
            }
        except RecordError as error:
            parsed.rejects.append(Reject(source_file, position, str(error), dump(member)))
            continue
        parsed.records.append({**record, "_source_line": position})
    return parsed
