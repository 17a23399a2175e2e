"""Guards and gates on a generated organisation with planted gaming cases and broken feeds.

The demo run (tests/conftest.py) plants deploy spam, redeploys, reverts, a bot, unattributed identities,
licence padding, survey stuffing and a runaway API key's spend, with a ground-truth file. Guards must find them
(precision and recall >= 0.95) and quality-adjusted metrics must equal what the honest records alone give. Broken feeds
either stop publication, leaving the previous publication byte-identical, or publish with a WARN.
"""

import csv
import hashlib
import json
import shutil
import threading
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.workspace import SEEDS_DIR, Workspace
from orchestration.tools.demo.generator import plant_broken_feed
from tests.conftest import DemoRun, run_isolated, tree_digest


def warehouse(demo: DemoRun) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(demo.workspace.warehouse), read_only=True)


def column(con: duckdb.DuckDBPyConnection, sql: str) -> set:
    return {row[0] if len(row) == 1 else row for row in con.execute(sql).fetchall()}


def precision_recall(found: set, truth: set) -> tuple[float, float]:
    hits = len(found & truth)
    return (hits / len(found) if found else 1.0), (hits / len(truth) if truth else 1.0)


def published_checksums(published: Path) -> dict[str, str]:
    """Every published file except Great Expectations Data Docs, which are rewritten on every run."""
    return {
        str(path.relative_to(published)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(published.rglob("*"))
        if path.is_file() and "quality" not in path.relative_to(published).parts
    } | {"current ->": str((published / "current").resolve())}


def test_the_demo_publishes_with_every_gate_passed(demo_run: DemoRun):
    assert demo_run.succeeded
    manifest = json.loads((demo_run.workspace.published / "manifest.json").read_text())
    assert manifest["metric_definitions_version"] == "v1"
    assert manifest["row_counts"]["mart_team_weekly"] > 0
    blocking_failures = [check for check in manifest["checks"] if not check["passed"] and check["severity"] == "ERROR"]
    assert blocking_failures == []
    assert (demo_run.workspace.published / "quality" / "index.html").exists()
    assert (demo_run.workspace.published / "docs" / "index.html").exists()


@pytest.mark.parametrize(
    ("guard", "found_sql", "truth_of"),
    [
        (
            "deploy_spam",
            "select deployment_id from main.fct_deployments where is_spam_flagged and is_production_deploy",
            lambda truth: {i for case in truth["deploy_spam"] for i in case["deployment_ids"]},
        ),
        (
            "redeploy",
            "select deployment_id from main.fct_deployments where is_redeploy",
            lambda truth: set(truth["duplicate_deployment_ids"]),
        ),
        (
            "reverted",
            "select deployment_id from main.fct_deployments where is_reverted and is_production_deploy",
            lambda truth: set(truth["reverted_deployment_ids"]),
        ),
        (
            "bot_activity",
            "select identity from intermediate.int_bot_identities_flagged",
            lambda truth: {identity.lower() for identity in truth["bot_identities"]},
        ),
        (
            "unattributed_identity",
            "select entity_id from intermediate.int_guard_signals_acknowledged "
            "where signal_type = 'unattributed_identity'",
            lambda truth: {case["identity"].lower() for case in truth["unattributed_identity"]},
        ),
        (
            "licence_padding",
            "select entity_id, cast(period_start as varchar) from intermediate.int_guard_signals_acknowledged "
            "where signal_type = 'licence_padding'",
            lambda truth: {(case["tool"], case["day"]) for case in truth["licence_padding"]},
        ),
        (
            "survey_stuffing",
            "select response_id from intermediate.int_survey_responses_ranked where is_superseded",
            lambda truth: {i for case in truth["survey_stuffing"] for i in case["response_ids_superseded"]},
        ),
        (
            "spend_spike",
            "select entity_id, tool, cast(spend_date as varchar) from intermediate.int_spend_spikes_flagged",
            lambda truth: {(case["identity"].lower(), case["tool"], case["day"]) for case in truth["spend_spike"]},
        ),
    ],
)
def test_planted_gaming_is_flagged_with_precision_and_recall(demo_run: DemoRun, guard, found_sql, truth_of):
    with warehouse(demo_run) as con:
        found = column(con, found_sql)
    truth = truth_of(demo_run.ground_truth)
    assert truth, f"the demo planted no {guard} case"
    precision, recall = precision_recall(found, truth)
    assert precision >= 0.95 and recall >= 0.95, (guard, precision, recall, found ^ truth)


@pytest.mark.parametrize(
    ("guard", "flag"),
    [("pr_splitting", "is_split_flagged"), ("attribution_without_usage", "is_attribution_without_usage")],
)
def test_planted_pull_request_gaming_is_flagged_per_engineer_week(demo_run: DemoRun, guard, flag):
    """These guards flag an author's week, and an engineer may send pull requests under a login and an email:
    the planted pull requests are compared by the engineer-weeks they fall in, whichever identity names the signal."""
    planted = sorted({pr_id for case in demo_run.ground_truth[guard] for pr_id in case["pr_ids"]})
    assert planted, f"the demo planted no {guard} case"
    author_weeks = "select distinct author_key, week_start from intermediate.int_pull_requests_attributed"
    with warehouse(demo_run) as con:
        found = column(con, f"{author_weeks} where {flag}")
        truth = set(con.execute(f"{author_weeks} where list_contains(?, pr_id)", [planted]).fetchall())
        signals = con.execute(
            "select count(*) from intermediate.int_guard_signals_acknowledged where signal_type = ?", [guard]
        ).fetchone()[0]
    precision, recall = precision_recall(found, truth)
    assert precision >= 0.95 and recall >= 0.95, (guard, precision, recall, found ^ truth)
    assert signals == len(found)


def _honest_deploys(demo: DemoRun) -> tuple[dict, dict]:
    """Production deploys per (team, week), raw and quality-adjusted, from landing files + ground truth."""
    landing, truth = demo.workspace.landing, demo.ground_truth
    production = {
        row["environment"]
        for row in csv.DictReader((SEEDS_DIR / "environments.csv").open())
        if row["is_production"] == "true"
    }
    services = list(csv.DictReader((landing / "services" / "services.csv").open()))
    excluded = set(truth["flagged_deployment_ids"]) | set(truth["reverted_deployment_ids"])
    deploys = [
        json.loads(line)
        for path in sorted((landing / "deployments").glob("*.ndjson"))
        for line in path.read_text().splitlines()
        if line.strip()
    ]
    deploys.sort(key=lambda deploy: (deploy["deployed_at"], deploy["deployment_id"]))
    seen, raw, adjusted = set(), defaultdict(int), defaultdict(int)
    for deploy in deploys:
        if deploy["environment"] not in production or deploy["status"] not in ("success", "rolled_back"):
            continue
        key = (deploy["service"], deploy["environment"], deploy["commit_sha"])
        if key in seen:
            continue  # a redeploy of the same commit counts once
        seen.add(key)
        day = datetime.fromisoformat(deploy["deployed_at"].replace("Z", "+00:00")).date()
        [team] = [
            row["team_id"]
            for row in services
            if row["service"] == deploy["service"]
            and date.fromisoformat(row["valid_from"]) <= day
            and (not row["valid_to"] or day < date.fromisoformat(row["valid_to"]))
        ]
        week = day - timedelta(days=day.weekday())
        raw[(team, week)] += 1
        if deploy["deployment_id"] not in excluded:
            adjusted[(team, week)] += 1
    return raw, adjusted


def test_quality_adjusted_deploys_equal_the_honest_records_only(demo_run: DemoRun):
    raw, adjusted = _honest_deploys(demo_run)
    with warehouse(demo_run) as con:
        rows = con.execute(
            "select team_id, week_start, production_deploys, quality_adjusted_deploys "
            "from intermediate.int_team_weeks_computed"
        ).fetchall()
    assert sum(adjusted.values()) < sum(raw.values())  # the planted cases were really excluded
    for team, week, production_deploys, quality_adjusted in rows:
        assert production_deploys == raw.get((team, week), 0), (team, week)
        assert quality_adjusted == adjusted.get((team, week), 0), (team, week)


def test_value_deriving_events_exclude_the_bot(demo_run: DemoRun):
    truth = demo_run.ground_truth
    [bot] = truth["bot_identities"]
    with warehouse(demo_run) as con:
        bot_engineer = con.execute(
            "select engineer_id from intermediate.int_identities_resolved where identity = ?", [bot.lower()]
        ).fetchall()[0][0]
        published = con.execute("select sum(value_deriving_events) from main.mart_tool_monthly").fetchall()[0][0]
        attributed = con.execute(
            "select sum(activity_count) from intermediate.int_tool_activity_attributed "
            "where is_value_deriving_type and attribution_status = 'attributed'"
        ).fetchall()[0][0]
        bot_rows = con.execute(
            "select count(*) from main.fct_tool_activity_daily where engineer_id = ? and tool = 'claude_code'",
            [bot_engineer],
        ).fetchall()[0][0]
    bot_events = sum(day["bot_value_events"] for day in truth["usage_days"])
    assert bot_events > 0 and bot_rows == 0
    assert published == attributed


# ---- broken feeds -------------------------------------------------------------------------------


def copy_of(demo: DemoRun, tmp_path: Path) -> Workspace:
    """The demo's landing and its whole workdir (lake, warehouse, published) in a place of our own."""
    workspace = Workspace(landing=tmp_path / "landing", workdir=tmp_path / "work")
    shutil.copytree(demo.workspace.landing, workspace.landing)
    shutil.copytree(demo.workspace.workdir, workspace.workdir, symlinks=True)
    return workspace


def run_day(workspace: Workspace, day: date, capsys) -> tuple[bool, str]:
    succeeded = run_isolated(workspace, day, day, full_refresh=False)
    return succeeded, capsys.readouterr().out


def broken_day(demo: DemoRun) -> date:
    return demo.last - timedelta(days=2)


@pytest.mark.parametrize(
    ("case", "gate"),
    [
        ("missing_deploy_day", "source_not_silent:deployments"),
        ("epoch_millis_as_seconds", "quarantine_within_tolerance:tool_activity"),
        ("unknown_tool_at_scale", "quarantine_within_tolerance:tool_activity"),
        ("unreadable_file", "teams/teams.csv: cannot be read"),
        ("unacknowledged_gaming", "gaming_within_tolerance"),
    ],
)
def test_a_blocking_case_stops_publication_and_keeps_the_previous_one(demo_run, tmp_path, capsys, case, gate):
    workspace = copy_of(demo_run, tmp_path)
    before = published_checksums(workspace.published)
    day = broken_day(demo_run)
    if case == "unknown_tool_at_scale":
        usage = workspace.landing / "usage" / f"{day}.ndjson"
        usage.write_text(usage.read_text().replace('"tool": "', '"tool": "x-').replace('"tool":"', '"tool":"x-'))
    elif case == "unreadable_file":
        (workspace.landing / "teams" / "teams.csv").write_text("team;name\nteam-0001;Alpha\n")
    elif case == "unacknowledged_gaming":
        (workspace.landing / "reference" / "guard_acknowledgements.csv").unlink()
        day = date.fromisoformat(demo_run.ground_truth["deploy_spam"][0]["day"])
    else:
        plant_broken_feed(workspace.landing, case, day)
    succeeded, output = run_day(workspace, day, capsys)
    assert not succeeded
    assert gate in output
    assert "previous publication" in output
    assert published_checksums(workspace.published) == before


def test_tolerated_cases_publish_correct_numbers_with_a_warning(demo_run, tmp_path, capsys):
    workspace = copy_of(demo_run, tmp_path)
    day = broken_day(demo_run)
    plant_broken_feed(workspace.landing, "duplicated_usage_day", day)
    plant_broken_feed(workspace.landing, "malformed_lines", day)
    before = json.loads((workspace.published / "manifest.json").read_text())

    # A BI reader holds the current publication open for the whole run and keeps querying it.
    reader_errors, reads = [], []
    stop = threading.Event()

    def read_publication():
        with duckdb.connect(str(workspace.published / "current" / "marts.duckdb"), read_only=True) as con:
            # a read every 50 ms, as a dashboard refreshing does: a tight loop would take a core from the run
            while not stop.wait(0.05):
                try:
                    reads.append(con.execute("select count(*) from main.mart_team_weekly").fetchall()[0][0])
                except duckdb.Error as error:  # pragma: no cover - the assertion below reports it
                    reader_errors.append(error)

    reader = threading.Thread(target=read_publication)
    reader.start()
    try:
        succeeded, output = run_day(workspace, day, capsys)
    finally:
        stop.set()
        reader.join()
    assert succeeded, output
    assert reader_errors == [] and set(reads) == {before["row_counts"]["mart_team_weekly"]}

    after = json.loads((workspace.published / "manifest.json").read_text())
    assert after["run_id"] != before["run_id"]
    warnings = {(check["asset"], check["check"]) for check in after["checks"] if not check["passed"]}
    assert ("raw/tool_activity", "quarantine_within_tolerance") in warnings
    assert all(check["severity"] == "WARN" for check in after["checks"] if not check["passed"])
    stats = json.loads((workspace.lake / "stats" / "tool_activity" / f"day={day}.json").read_text())
    assert stats["quarantined"] == 2 and stats["duplicates"] > 0
    quarantined = duckdb.sql(
        f"select reason from read_parquet('{workspace.quarantine}/tool_activity/day={day}/data.parquet')"
    ).fetchall()
    assert [reason for (reason,) in quarantined] == ["malformed JSON: expected one JSON object per line"] * 2

    # The resent file changes nothing; the two malformed lines change at most the events they carried.
    with (
        duckdb.connect(str(workspace.published / "current" / "marts.duckdb"), read_only=True) as new,
        duckdb.connect(str(demo_run.workspace.published / "current" / "marts.duckdb"), read_only=True) as old,
    ):
        sql = "select team_id, week_start, production_deploys, headcount from main.mart_team_weekly order by all"
        assert new.execute(sql).fetchall() == old.execute(sql).fetchall()
        sql = "select sum(daily_active_users) from main.mart_tool_daily where activity_date = ?"
        assert abs(new.execute(sql, [day]).fetchall()[0][0] - old.execute(sql, [day]).fetchall()[0][0]) <= 2


def test_two_engineers_whose_emails_differ_only_in_case_block_the_run_naming_both(demo_run, tmp_path, capsys):
    """Both engineers used to lose every email-keyed record (deploys triggered, NPS responses) on a green run."""
    workspace = copy_of(demo_run, tmp_path)
    snapshot = sorted((workspace.landing / "roster").glob("roster_*.csv"))[0]
    with snapshot.open(newline="") as source:
        rows = list(csv.DictReader(source))
    first, second = [row for row in rows if row["is_engineer"] == "true"][:2]
    second["email"] = first["email"].upper()
    with snapshot.open("w", newline="") as target:
        writer = csv.DictWriter(target, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    published, lake = published_checksums(workspace.published), tree_digest(workspace.lake)

    succeeded, output = run_day(workspace, broken_day(demo_run), capsys)

    assert not succeeded
    assert "one_engineer_per_identity:roster" in output and first["email"].lower() in output
    name = f"roster/{snapshot.name}"
    line_of = {row["engineer_id"]: index for index, row in enumerate(rows, start=2)}
    assert f"{first['engineer_id']} (email: {name}:{line_of[first['engineer_id']]}" in output
    assert f"{second['engineer_id']} (email: {name}:{line_of[second['engineer_id']]})" in output
    assert published_checksums(workspace.published) == published
    assert tree_digest(workspace.lake) == lake
