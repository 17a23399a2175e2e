"""Licence grants moved into GitHub Copilot's seat list and Cursor's team-member lists."""

from collections import defaultdict

from orchestration.defs.ingest.connectors import generic
from orchestration.tools.demo.vendor.common import (
    GITHUB_OFFSET,
    SEATS_PAGE,
    Landing,
    numeric_id,
    rewrite_csv,
    write_json,
)


def convert_grants(landing: Landing) -> None:
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
        rewrite_csv(path, data, converted)
    folder = landing.root / "licences" / "github_copilot_seats"
    suffix = f"_{window[1].isoformat()}" if window else ""
    pages = [seats[start : start + SEATS_PAGE] for start in range(0, len(seats), SEATS_PAGE)]
    for number, page in enumerate(pages, start=1):
        write_json(
            folder / f"github_copilot_seats{suffix}_page_{number}.json", {"total_seats": len(seats), "seats": page}
        )
    # A team-member list is a snapshot of who holds a seat that day, so each one lists every member granted
    # up to its day: a member missing from a later snapshot is read as revoked there.
    listed = []
    for day, granted in sorted(members.items()):
        listed += granted
        write_json(
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
    seat["assignee"] = {"login": grant["identity"], "id": numeric_id(grant["identity"]), "type": "User"}
    return seat


def _member(grant: dict) -> dict:
    return {"name": grant["identity"].split("@")[0], "email": grant["identity"], "role": "member"}
