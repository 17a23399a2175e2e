"""The demo through the vendor formats: ingesting the vendor landing gives the lake the generic one gives.

A tiny demo is generated, rewritten through the vendor formats, and both landings are ingested by the
real ingest assets over the whole window; the canonical tables are then compared on what the marts use.
"""

import csv
import itertools
import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.defs.ingest.assets import ingest_assets
from orchestration.lib.workspace import Workspace
from orchestration.tools.demo.generator import DemoSpec, generate
from orchestration.tools.demo.spend import RUNAWAY_KEY
from orchestration.tools.demo.vendor_formats import write_vendor_formats
from tests.conftest import resources_of
from tests.spend_files import spend_in_files

# a seed whose tiny organisation uses Amazon Q and grants Cursor seats inside the window, so every
# vendor folder is exercised (with seed 5, for one, nobody uses Amazon Q)
SPEC = DemoSpec(teams=3, engineers_per_team=6, days=14, seed=14)
FIRST, LAST = SPEC.start, SPEC.start + timedelta(days=SPEC.days - 1)
VENDOR_FOLDERS = (
    "deployments/github_deployment_status",
    "licences/github_copilot_seats",
    "licences/cursor_team_members",
    "usage/github_copilot_users_1_day",
    "usage/claude_code_analytics",
    "usage/cursor_daily_usage",
    "usage/amazon_q_user_activity",
    "surveys/qualtrics",
    "pull_requests/github_rest",
    "pull_requests/github_webhook",
)


@dataclass(frozen=True)
class Lakes:
    generic: Workspace
    vendor: Workspace
    truth: dict


def ingest(workspace: Workspace) -> None:
    result = dg.materialize(
        ingest_assets,
        instance=dg.DagsterInstance.ephemeral(),
        tags={
            "dagster/asset_partition_range_start": FIRST.isoformat(),
            "dagster/asset_partition_range_end": LAST.isoformat(),
        },
        resources=resources_of(workspace),
    )
    assert result.success


@pytest.fixture(scope="module")
def lakes(tmp_path_factory: pytest.TempPathFactory) -> Lakes:
    root = tmp_path_factory.mktemp("vendor_demo")
    generate(SPEC, root / "generic", root / "truth.json", progress=lambda _: None)
    write_vendor_formats(root / "generic", root / "vendor")
    workspaces = [Workspace(landing=root / name, workdir=root / f"{name}_work") for name in ("generic", "vendor")]
    for workspace in workspaces:
        ingest(workspace)
    return Lakes(*workspaces, json.loads((root / "truth.json").read_text()))


def query(workspace: Workspace, entity: str, sql: str) -> list[tuple]:
    files = workspace.raw / entity / "*" / "*.parquet"
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        return sorted(con.execute(sql.replace("{entity}", f"read_parquet('{files}')")).fetchall())


def vendor_files(workspace: Workspace, entity: str) -> set[str]:
    return {row[0] for row in query(workspace, entity, "select distinct _source_file from {entity}")}


def test_every_vendor_folder_is_written_and_read(lakes):
    for folder in VENDOR_FOLDERS:
        assert any((lakes.vendor.landing / folder).rglob("*.*")), folder
    read = vendor_files(lakes.vendor, "tool_activity") | vendor_files(lakes.vendor, "deployments")
    read |= vendor_files(lakes.vendor, "licence_grants") | vendor_files(lakes.vendor, "survey_responses")
    read |= vendor_files(lakes.vendor, "pull_requests")
    assert all(any(name.startswith(folder + "/") for name in read) for folder in VENDOR_FOLDERS)


def test_usage_round_trips_per_identity_tool_type_and_day(lakes):
    sql = "select lower(identity), identity_type, tool, activity_date, activity_type, activity_count, day from {entity}"
    generic, vendor = query(lakes.generic, "tool_activity", sql), query(lakes.vendor, "tool_activity", sql)
    assert vendor == generic
    totals = "select tool, activity_type, activity_date, sum(activity_count) from {entity} group by all"
    assert query(lakes.vendor, "tool_activity", totals) == query(lakes.generic, "tool_activity", totals)
    moved = query(lakes.vendor, "tool_activity", "select count(*) from {entity} where _source_file like '%/%/%'")
    assert moved[0][0] > len(generic) / 2  # most usage came through a vendor format


def test_the_bot_stays_event_level_so_the_bot_rule_still_sees_it(lakes):
    [bot] = lakes.truth["bot_identities"]
    sql = (
        "select max(peak_events_per_minute), count(*) filter (where _source_file like '%/%/%') "
        f"from {{entity}} where lower(identity) = '{bot}'"
    )
    [(peak, from_vendor_files)] = query(lakes.vendor, "tool_activity", sql)
    assert peak > 20 and from_vendor_files == 0
    assert query(lakes.vendor, "tool_activity", "select count(*) from {entity} where peak_events_per_minute > 20") == (
        query(lakes.generic, "tool_activity", "select count(*) from {entity} where peak_events_per_minute > 20")
    )


def roster_logins(landing: Path) -> dict[str, str]:
    logins = {}
    for path in (landing / "roster").glob("*.csv"):
        with path.open(newline="") as handle:
            logins.update({row["email"].lower(): row["github_login"].lower() for row in csv.DictReader(handle)})
    return logins


def test_deployments_round_trip_with_triggers_resolving_to_the_same_engineer(lakes):
    sql = (
        "select deployment_id, service, environment, commit_sha, status, deployed_at, rollback_of, day, "
        "lower(triggered_by), lines_changed from {entity}"
    )
    logins = roster_logins(lakes.generic.landing)

    def resolved(row: tuple) -> tuple:  # an email trigger and its engineer's GitHub login are the same person
        return (*row[:8], logins.get(row[8], row[8]), row[9])

    generic = [resolved(row) for row in query(lakes.generic, "deployments", sql)]
    vendor = [resolved(row) for row in query(lakes.vendor, "deployments", sql)]
    assert [row[:9] for row in vendor] == [row[:9] for row in generic]
    webhook = [row for row in vendor if row[9] is None]
    assert len(webhook) > len(vendor) / 2  # most deploys came through webhooks
    changed = [(old[9], new[9]) for old, new in zip(generic, vendor, strict=True) if old[9] != new[9]]
    assert all(new is None and old != 0 for old, new in changed)  # line counts lost, never a 0


def test_grants_and_surveys_round_trip(lakes):
    # a Cursor seat-roster snapshot lists every current member: a member's listings from the day of the grant
    # on are one open grant (the warehouse reads a member missing from a later snapshot as revoked there)
    grants = (
        "select holder, identity_type, tool, min(granted), revoked from (select lower(identity) as holder, "
        "identity_type, tool, cast(granted_at as date) as granted, cast(revoked_at as date) as revoked, "
        "case when _source_file like 'licences/cursor_team_members/%' then '' "
        "else _source_file || ':' || _source_line end as grant_line from {entity}) "
        "group by holder, identity_type, tool, revoked, grant_line"
    )
    assert query(lakes.vendor, "licence_grants", grants) == query(lakes.generic, "licence_grants", grants)
    snapshots = sorted((lakes.vendor.landing / "licences" / "cursor_team_members").glob("*.json"))
    listed = [{member["email"] for member in json.loads(path.read_text())["teamMembers"]} for path in snapshots]
    assert len(listed) > 1 and all(earlier <= later for earlier, later in itertools.pairwise(listed))
    seats = query(lakes.vendor, "licence_grants", "select count(*) from {entity} where _source_file like '%/%/%'")
    assert seats[0][0] > 0
    responses = "select response_id, survey_id, lower(identity), tool, score, submitted_at from {entity}"
    assert query(lakes.vendor, "survey_responses", responses) == query(lakes.generic, "survey_responses", responses)


def test_nothing_is_quarantined_and_counts_add_up(lakes):
    for workspace in (lakes.generic, lakes.vendor):
        assert not list(workspace.quarantine.rglob("*.parquet"))
    for entity in ("deployments", "tool_activity"):
        for day in (FIRST + timedelta(days=offset) for offset in range(SPEC.days)):
            stats = json.loads((lakes.vendor.lake / "stats" / entity / f"day={day.isoformat()}.json").read_text())
            assert stats["records_read"] == stats["accepted"] + stats["quarantined"]
            assert stats["files"] >= 2  # the generic file and the day's vendor file(s)


def test_the_vendor_files_look_like_the_vendors_exports(lakes):
    landing = lakes.vendor.landing
    amazon_q_rows = 0
    for report in (landing / "usage" / "amazon_q_user_activity").rglob("*.csv"):
        day = datetime.strptime("/".join(report.parts[-5:-2]), "%Y/%m/%d")  # .../yyyy/mm/dd/00/<file>
        header, *rows = report.read_text().splitlines()
        assert header.startswith("UserId,Date,Chat_AICodeLines") and len(header.split(",")) == 46
        assert all(row.startswith('"') and f'",{day:%m-%d-%Y},' in row and ",0," not in row for row in rows)
        amazon_q_rows += len(rows)
    assert amazon_q_rows
    for response in (landing / "usage" / "cursor_daily_usage").glob("*.json"):
        day = datetime.fromisoformat(response.stem.removeprefix("cursor_daily_usage_")).replace(tzinfo=UTC)
        assert {record["date"] for record in json.loads(response.read_text())["data"]} <= {day.timestamp() * 1000}
    for day in (FIRST + timedelta(days=offset) for offset in range(SPEC.days)):
        copilot = landing / "usage" / "github_copilot_users_1_day" / f"copilot_users_1_day_{day}.ndjson"
        assert all(json.loads(line)["day"] == day.isoformat() for line in copilot.read_text().splitlines())
        remaining = Counter(json.loads(line)["tool"] for line in (landing / "usage" / f"{day}.ndjson").open())
        assert set(remaining) <= {"internal_chat", lakes.truth["bot_activity"][0]["tool"]}


# The delivery of each pull request that counts: the latest updated_at, then the one with a commit list.
COUNTED_PULL_REQUESTS = (
    "select * exclude (_rank) from (select *, row_number() over (partition by pr_id "
    "order by updated_at desc, has_commit_list desc) as _rank from {entity}) where _rank = 1"
)


def counted_pull_requests(workspace: Workspace) -> list[tuple]:
    columns = (
        "pr_id, repository, number, author, author_type, title, head_branch, base_branch, created_at, "
        "first_review_at, merged_at, closed_at, merge_commit_sha, additions, deletions, changed_files, "
        "commit_count, has_commit_list, updated_at, day"
    )
    return query(workspace, "pull_requests", f"select {columns} from ({COUNTED_PULL_REQUESTS})")


def delivery_children(workspace: Workspace, entity: str, columns: str) -> list[tuple]:
    """The commits or labels of each counted delivery."""
    files = workspace.raw / "pull_requests" / "*" / "*.parquet"
    counted = COUNTED_PULL_REQUESTS.replace("{entity}", f"read_parquet('{files}')")
    sql = (
        f"select {columns} from {{entity}} as child inner join ({counted}) as pr "
        "on child.pr_id = pr.pr_id and child.pr_updated_at = pr.updated_at"
    )
    return query(workspace, entity, sql)


def test_pull_requests_round_trip_through_rest_pages_and_webhooks(lakes):
    generic, vendor = counted_pull_requests(lakes.generic), counted_pull_requests(lakes.vendor)
    assert vendor == generic and len(generic) == len(
        [line for path in (lakes.generic.landing / "pull_requests").glob("*.ndjson") for line in path.open()]
    )
    commits = "child.pr_id, child.sha, child.authored_at, child.author, child.message"
    assert delivery_children(lakes.vendor, "pull_request_commits", commits) == delivery_children(
        lakes.generic, "pull_request_commits", commits
    )
    labels = "child.pr_id, child.label"
    assert delivery_children(lakes.vendor, "pull_request_labels", labels) == delivery_children(
        lakes.generic, "pull_request_labels", labels
    )
    sources = (
        "select split_part(_source_file, '/', 2), count(*) from {entity} where _source_file like '%/%/%' group by 1"
    )
    moved = dict(query(lakes.vendor, "pull_requests", sources))
    assert moved["github_rest"] == moved["github_webhook"] > 0  # each moved pull request, delivered twice
    ai = {entry["pr_id"] for entry in lakes.truth["ai_assisted_pull_requests"]}
    rest = query(lakes.vendor, "pull_requests", "select pr_id from {entity} where _source_file like '%github_rest%'")
    assert ai & {pr_id for (pr_id,) in rest}  # AI-assisted pull requests move too, their trailers with them


def test_pull_request_vendor_files_hold_what_the_generic_files_held(lakes):
    """Computed from the files: every generic pull request is in the vendor landing's generic files or REST pages."""

    def generic_ids(landing: Path) -> set[str]:
        return {
            json.loads(line)["pr_id"]
            for path in (landing / "pull_requests").glob("*.ndjson")
            for line in path.read_text().splitlines()
        }

    rest = lakes.vendor.landing / "pull_requests" / "github_rest"
    listed = [item for path in rest.glob("*_pulls_closed_page_*.json") for item in json.loads(path.read_text())]
    rest_ids = {f"{item['base']['repo']['full_name']}#{item['number']}" for item in listed}
    remaining = generic_ids(lakes.vendor.landing)
    assert not rest_ids & remaining and rest_ids | remaining == generic_ids(lakes.generic.landing)
    assert all(item["user"]["login"] and "@" not in item["user"]["login"] for item in listed)
    for item in listed:
        commits = json.loads(
            (
                rest / f"{item['base']['repo']['full_name'].replace('/', '_')}_pull_{item['number']}_commits.json"
            ).read_text()
        )
        assert len(commits) == item["commits"] >= 1
    webhooks = [
        json.loads(line)
        for path in (rest.parent / "github_webhook").glob("*.ndjson")
        for line in path.read_text().splitlines()
    ]
    assert {f"{p['repository']['full_name']}#{p['number']}" for p in webhooks} == rest_ids
    assert all(
        p["action"] == "closed" and p["pull_request"]["updated_at"] == p["pull_request"]["closed_at"] for p in webhooks
    )


def test_spend_round_trips_through_claude_code_costs_and_cursor_events(lakes):
    sql = "select lower(identity), tool, spend_date, kind, model, amount, currency, day from {entity}"
    generic, vendor = query(lakes.generic, "spend", sql), query(lakes.vendor, "spend", sql)
    assert vendor == generic and len(generic) > 20
    moved = query(lakes.vendor, "spend", "select distinct split_part(_source_file, '/', 2) from {entity}")
    assert {("claude_code_analytics",), ("cursor_usage_events",)} <= set(moved)
    # the API key's spend comes from its own api_actor records, and the euros stay in generic files
    kinds = "select identity_type, currency, count(*) from {entity} where identity not like '%@%' group by all"
    assert query(lakes.vendor, "spend", kinds) == [("api_key", "USD", SPEC.days - 1)]
    assert query(lakes.vendor, "spend", "select count(*) from {entity} where currency = 'EUR'") == query(
        lakes.generic, "spend", "select count(*) from {entity} where currency = 'EUR'"
    )


def test_the_exports_hold_the_spend_of_the_generic_files(lakes):
    generic, vendor = spend_in_files(lakes.generic.landing), spend_in_files(lakes.vendor.landing)
    assert vendor.keys() == generic.keys() == {"claude_code", "cursor"}
    assert all(vendor[tool] == pytest.approx(generic[tool], abs=1e-6) for tool in generic)
    [spike] = lakes.truth["spend_spike"]
    assert spike["identity"] == RUNAWAY_KEY
    # Cursor days included in the seat are read and excluded by definition, never added to usage cost
    stats = [json.loads(path.read_text()) for path in (lakes.vendor.lake / "stats" / "spend").glob("*.json")]
    assert sum(day["excluded_by_reason"].get("included in the seat", 0) for day in stats) > 0
    assert all(day["records_read"] == day["accepted"] + day["quarantined"] + day["excluded"] for day in stats)
