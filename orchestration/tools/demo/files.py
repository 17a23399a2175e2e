"""The small entities' CSV files: roster snapshots, teams, services, identities and licence grants."""

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from orchestration.tools.demo.adoption import grant_identity
from orchestration.tools.demo.pull_request_text import repository_of
from orchestration.tools.demo.spec import (
    DAY_SECONDS,
    ENGINEER,
    GRANTS_COLUMNS,
    IDENTITIES_COLUMNS,
    MANAGER,
    NEVER,
    PLAN,
    ROLES,
    ROSTER_COLUMNS,
    SERVICES_COLUMNS,
    TEAMS_COLUMNS,
)
from orchestration.tools.demo.world import World


def write_csv(path: Path, header: Sequence[str], rows: list[Sequence[object]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return len(rows)


def _write_rosters(landing: Path, world: World) -> int:
    cal, teams, people = world.cal, world.teams, world.people
    written = 0
    for snapshot in range(cal.snapshot_count):
        column = people.team_at[:, snapshot]
        persons = np.flatnonzero(column >= 0)
        managers = persons[people.role[persons] == MANAGER][::-1]
        lead = np.full(teams.count, -1)
        lead[column[managers]] = managers  # the lowest-numbered manager leads the team
        rows = []
        for person in persons.tolist():
            team = int(column[person])
            boss = int(lead[team]) if people.role[person] != MANAGER else int(lead[teams.org_start[team]])
            rows.append(
                (
                    people.engineer_id[person],
                    people.email[person],
                    people.login[person],
                    people.full_name[person],
                    teams.team_id[team],
                    people.email[boss] if boss >= 0 and boss != person else "",
                    ROLES[people.role[person]],
                    "true" if people.role[person] == ENGINEER else "false",
                )
            )
        written += write_csv(landing / "roster" / f"roster_{cal.iso(7 * snapshot)}.csv", ROSTER_COLUMNS, rows)
    return written


def write_structure(landing: Path, world: World) -> dict[str, int]:
    teams, services, people, adoption, ref = (
        world.teams,
        world.services,
        world.people,
        world.adoption,
        world.ref,
    )
    team_rows = [
        (
            teams.team_id[t],
            teams.name[t],
            teams.org_names[teams.org[t]],
            teams.parent_names[teams.parent_of_org[teams.org[t]]],
            int(teams.target[t]),
        )
        for t in range(teams.count)
    ]
    service_rows = []
    for s in range(services.count):
        moved = services.transfer_day[s] < NEVER
        handover = world.cal.iso(int(services.transfer_day[s])) if moved else ""
        first_team = teams.team_id[services.team0[s]]
        repository = repository_of(services.name[s])
        service_rows.append((services.name[s], first_team, services.valid_from[s].isoformat(), handover, repository))
        if moved:
            service_rows.append((services.name[s], teams.team_id[services.team1[s]], handover, "", repository))
    vendor_tools = [t for t, kind in enumerate(ref.identity_types) if kind == "vendor_id"]
    involved = (adoption.adopt_day[:, vendor_tools] < NEVER) | adoption.has_grant[:, vendor_tools]
    identity_rows = [
        (adoption.vendor_id[p], "vendor_id", people.engineer_id[p]) for p in np.flatnonzero(involved.any(axis=1))
    ]
    return {
        "teams": write_csv(landing / "teams" / "teams.csv", TEAMS_COLUMNS, team_rows),
        "services": write_csv(landing / "services" / "services.csv", SERVICES_COLUMNS, service_rows),
        "identities": write_csv(landing / "identities" / "identities.csv", IDENTITIES_COLUMNS, identity_rows),
        "roster_rows": _write_rosters(landing, world),
    }


def write_grants(landing: Path, world: World, rng: np.random.Generator) -> int:
    cal, ref, people, adoption = world.cal, world.ref, world.people, world.adoption
    person, tool = np.nonzero(adoption.has_grant)
    granted = adoption.grant_day[person, tool] * DAY_SECONDS + rng.integers(8 * 3600, 18 * 3600, len(person))
    revoke = adoption.revoke_day[person, tool]
    revoked = revoke * DAY_SECONDS + rng.integers(9 * 3600, 17 * 3600, len(person))
    granted_text = cal.timestamps(granted)
    revoked_text = np.where(revoke < cal.days, cal.timestamps(np.where(revoke < cal.days, revoked, 0)), "")
    rows = [
        (
            grant_identity(ref, people, adoption, int(p), int(t)),
            ref.tools[t],
            granted_text[i],
            revoked_text[i],
            PLAN.get(ref.tools[t], "standard"),
            ref.monthly_cost[t],
        )
        for i, (p, t) in enumerate(zip(person.tolist(), tool.tolist(), strict=True))
    ]
    rows.sort(key=lambda row: (row[2], row[1], row[0]))
    return write_csv(landing / "licences" / "grants.csv", GRANTS_COLUMNS, rows)
