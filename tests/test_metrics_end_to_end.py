"""End to end: a small hand-built landing folder through the whole pipeline, the metric marts compared with
an independent implementation of the metric definitions v1 (README, Metrics) (tests/metrics_oracle.py), which reads
the landing files, never the warehouse.

The fixture (tests/fixtures/metrics_landing.py) tells its story in its docstring; HAND_COMPUTED below
spells out the values it was built to produce, so a reader can see what each scenario is for.
"""

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.workspace import Workspace
from tests.conftest import run_isolated
from tests.mart_comparison import differences, read_mart, same, shown

try:  # tests/ on sys.path (pytest's rootdir-relative import without tests/__init__.py)
    from fixtures.metrics_landing import FIRST_DAY, LAST_DAY, write_metrics_landing
    from metrics_oracle import MART_KEYS, expected_marts
except ModuleNotFoundError:  # tests is a package
    from tests.fixtures.metrics_landing import FIRST_DAY, LAST_DAY, write_metrics_landing
    from tests.metrics_oracle import MART_KEYS, expected_marts

D = date.fromisoformat

# (mart, key, expected values, why): values worked out by hand from the fixture.
HAND_COMPUTED = [
    # ---- mart_team_weekly
    (
        "mart_team_weekly",
        ("team-a", D("2026-01-05")),
        {"headcount": 6, "weekly_active_ai_users": 3, "is_adopting": True, "is_suppressed": False},
        "the first roster snapshot (01-07) holds for the Monday before it; 3 active of 6 is exactly 0.5",
    ),
    (
        "mart_team_weekly",
        ("team-a", D("2026-01-12")),
        {"production_deploys": 1, "quality_adjusted_deploys": 1, "change_failure_rate": 0.5},
        "billing still belongs to team-a; pay-002 failed twice: one failed deploy",
    ),
    (
        "mart_team_weekly",
        ("team-a", D("2026-01-19")),
        {"production_deploys": 1, "quality_adjusted_deploys": 1, "value_deriving_events": 13},
        "dependabot's Sunday 21:00-05:00 deploy is Monday 02:00 UTC, its redeploy counts nowhere; "
        "an event delivered twice (7 code edits) counts once: 6 + 7",
    ),
    (
        "mart_team_weekly",
        ("team-a", D("2026-01-26")),
        {
            "production_deploys": 2,
            "quality_adjusted_deploys": 1,
            "change_failure_rate": 0.5,
            "weekly_active_ai_users": 5,
            "baseline_deploys_per_engineer": 4 / 24,
            "velocity_multiple": 1.0,
            "is_on_track": False,
        },
        "d-a08 reverted through rollback_of; Ayo (moving on 01-28) counts in team-a this week too; the last "
        "baseline week pools exactly the baseline",
    ),
    (
        "mart_team_weekly",
        ("team-a", D("2026-02-02")),
        {"headcount": 5, "is_suppressed": False, "quality_adjusted_deploys": 3, "deploys_per_engineer": 0.6},
        "5 = min_group_size is published; 2 zero-line deploys and one without lines_changed are no spam",
    ),
    (
        "mart_team_weekly",
        ("team-a", D("2026-02-09")),
        {"production_deploys": 4, "quality_adjusted_deploys": 4, "change_failure_rate": 0.2},
        "d-a15's previous sha comes back 26 hours later: outside the 24 h window, not reverted",
    ),
    (
        "mart_team_weekly",
        ("team-a", D("2026-02-16")),
        {"quality_adjusted_deploys": 3, "velocity_multiple": (11 / 21) / (4 / 24), "is_on_track": True},
        "partial last week; (1+3+4+3)/(6+5+5+5) over 4/24 = 3.14 >= target 3",
    ),
    (
        "mart_team_weekly",
        ("team-b", D("2026-01-05")),
        {"production_deploys": 4, "quality_adjusted_deploys": 3, "change_failure_rate": 0.25},
        "gw-001 to production-eu and production-us counts twice; gw-002 rolled_back counts and is reverted",
    ),
    (
        "mart_team_weekly",
        ("team-b", D("2026-01-12")),
        {
            "production_deploys": 1,
            "weekly_active_ai_users": 2,
            "is_adopting": False,
            "value_deriving_events": 23,
        },
        "gw-003 redeployed on Monday counts in no week; bilal-automation is a bot (25 value events in one "
        "minute): its interaction and 25 events are excluded, Bilal's own login still counts",
    ),
    (
        "mart_team_weekly",
        ("team-b", D("2026-01-26")),
        {"weekly_active_ai_users": 2, "lifecycle_stages_covered": 4, "is_ai_native": True},
        "Bruno's copilot (code|test) and mover Ayo's internal_chat on 01-29 (plan|design)",
    ),
    (
        "mart_team_weekly",
        ("team-b", D("2026-02-02")),
        {
            "headcount": 6,
            "production_deploys": 3,
            "quality_adjusted_deploys": 2,
            "change_failure_rate": 1 / 3,
        },
        "bil-004 reverted by a redeploy of its previous sha 8 hours later",
    ),
    (
        "mart_team_weekly",
        ("team-b", D("2026-02-09")),
        {"production_deploys": 6, "quality_adjusted_deploys": 2, "change_failure_rate": 0.0},
        "infra-gateway on 02-12: 3 zero-line deploys flag all 4 of its production deploys that day",
    ),
    (
        "mart_team_weekly",
        ("team-c", D("2026-01-19")),
        {
            "headcount": 3,
            "velocity_target": 3,
            "is_suppressed": True,
            "production_deploys": None,
            "weekly_active_ai_users": None,
            "is_adopting": None,
        },
        "3 engineers < min_group_size 5: every metric null",
    ),
    # ---- mart_team_weekly: pull requests and the DORA times
    (
        "mart_team_weekly",
        ("team-a", D("2026-01-12")),
        {"merged_pull_requests": 0, "ai_assisted_pr_share": None, "time_to_restore_hours_p50": 112.0},
        "pay-002's failure (01-14 10:00) is restored by d-a06 (01-19 02:00 UTC); a delivered feed counts 0, not null",
    ),
    (
        "mart_team_weekly",
        ("team-a", D("2026-01-19")),
        {"merged_pull_requests": 1, "ai_assisted_pr_share": 1.0, "lead_time_hours_p50": None},
        "the Copilot agent's billing#5 counts for billing's owner on the merge day; it ships in team-b's W4",
    ),
    (
        "mart_team_weekly",
        ("team-a", D("2026-01-26")),
        {"time_to_restore_hours_p50": 5.0},
        "d-a08, reverted through rollback_of, is restored by d-a09 itself 5 hours later",
    ),
    (
        "mart_team_weekly",
        ("team-a", D("2026-02-09")),
        {
            "merged_pull_requests": 4,
            "ai_assisted_pr_share": 0.5,
            "lead_time_hours_p50": 23.0,
            "lead_time_hours_p90": 39.0,
            "time_to_restore_hours_p50": 71.0,
        },
        "#101 (trailer) and #103 (label) of #101..#104; lead times 22, 23, 43 (d-a16's redeploy ships nothing), "
        "#104's in W7; d-a19's error restored by d-a20 71 h later",
    ),
    (
        "mart_team_weekly",
        ("team-a", D("2026-02-16")),
        {
            "merged_pull_requests": 2,
            "ai_assisted_pr_share": 0.0,
            "lead_time_hours_p50": 80.75,
            "lead_time_hours_p90": 92.55,
        },
        "Maria's #106 counts for payments' owner; lead times 66 and #104's 95.5 (deploy week); #107 has none",
    ),
    (
        "mart_team_weekly",
        ("team-b", D("2026-01-05")),
        {"time_to_restore_hours_p50": 114.0},
        "rolled_back gw-002 (01-08 16:00, EU) restored by the next EU production deploy d-b06 (01-13 10:00)",
    ),
    (
        "mart_team_weekly",
        ("team-b", D("2026-01-26")),
        {"merged_pull_requests": 0, "lead_time_hours_p50": 190.0, "lead_time_hours_p90": 190.0},
        "billing#5, merged while team-a owned billing, shipped by team-b's d-b11",
    ),
    (
        "mart_team_weekly",
        ("team-b", D("2026-02-02")),
        {"merged_pull_requests": 0, "ai_assisted_pr_share": None, "time_to_restore_hours_p50": 146.0},
        "Bruno's 15 three-line pull requests are splitting; d-b14's revert d-b15 is a redeploy, d-b21 restores",
    ),
    (
        "mart_team_weekly",
        ("team-b", D("2026-02-09")),
        {"merged_pull_requests": 1, "ai_assisted_pr_share": 1.0, "lead_time_hours_p50": 2.0},
        "billing#7 by the Copilot agent; the flagged splitting pull requests d-b17 shipped are left out",
    ),
    # ---- mart_pull_requests_weekly
    (
        "mart_pull_requests_weekly",
        ("team-a", D("2026-02-09"), True),
        {
            "merged_pull_requests": 2,
            "deployed_pull_requests": 2,
            "cycle_time_hours_p50": 21.0,
            "review_wait_hours_p50": 10.5,
            "size_lines_p50": 95.0,
            "lead_time_hours_p50": 33.0,
            "lead_time_hours_p90": 41.0,
        },
        "#101 and #103: cycle 22 and 20 h, review 4 and 17 h, 150 and 40 lines, lead 23 and 43 h",
    ),
    (
        "mart_pull_requests_weekly",
        ("team-a", D("2026-02-09"), False),
        {"merged_pull_requests": 2, "review_wait_hours_p50": 1.5, "lead_time_hours_p50": 58.75},
        "#102 (never reviewed) and #104, whose 95.5 h lead time counts in its merge week here",
    ),
    (
        "mart_pull_requests_weekly",
        ("team-a", D("2026-02-16"), False),
        {"deployed_pull_requests": 2, "cycle_time_hours_p50": 66.05, "lead_time_hours_p50": 66.0},
        "#107 is deployed but has no commit list: no cycle or lead time",
    ),
    (
        "mart_pull_requests_weekly",
        ("team-b", D("2026-02-02"), False),
        {"merged_pull_requests": 0, "cycle_time_hours_p50": None, "is_suppressed": False},
        "splitting: counted nowhere",
    ),
    (
        "mart_pull_requests_weekly",
        ("team-c", D("2026-02-09"), False),
        {"headcount": 3, "merged_pull_requests": None, "is_suppressed": True},
        "Chen's docs#3 and Carla's reopened mobile#20 are team-c's: suppressed",
    ),
    # ---- mart_org_weekly
    (
        "mart_org_weekly",
        ("product", D("2026-01-05")),
        {
            "teams": 2,
            "adopting_teams": 1,
            "adoption_rate": 1.0,
            "headcount": 9,
            "deploys_per_engineer": 2 / 9,
            "value_deriving_events": 10,
        },
        "team-c is summed (headcount, deploys, its 4 value events) but not in the adoption denominator",
    ),
    (
        "mart_org_weekly",
        ("product", D("2026-01-19")),
        {"change_failure_rate": 1 / 3},
        "team-c's failed mob-004 counts in its org",
    ),
    ("mart_org_weekly", ("product", D("2026-02-16")), {"teams_on_track": 1}, "team-a on track"),
    (
        "mart_org_weekly",
        ("product", D("2026-01-19")),
        {"merged_pull_requests": 1, "time_to_restore_hours_p50": 168.0},
        "suppressed team-c's failed mob-004 (01-22) restored by d-c06 a week later: pooled into its org",
    ),
    (
        "mart_org_weekly",
        ("product", D("2026-02-09")),
        {
            "merged_pull_requests": 6,
            "ai_assisted_pr_share": 2 / 6,
            "lead_time_hours_p50": 33.0,
            "lead_time_hours_p90": 164.8,
            "time_to_restore_hours_p50": 71.0,
        },
        "team-a's 4 and team-c's 2; lead times 22, 23, 43 and the reopened mobile#20's 217, pooled",
    ),
    (
        "mart_company_weekly",
        (D("2026-01-12"),),
        {"time_to_restore_hours_p50": 116.0},
        "the median of team-a's 112 h and team-b's 120 h restores",
    ),
    (
        "mart_company_weekly",
        (D("2026-02-09"),),
        {
            "merged_pull_requests": 7,
            "ai_assisted_pr_share": 3 / 7,
            "lead_time_hours_p50": 23.0,
            "lead_time_hours_p90": 147.4,
        },
        "every team's pull requests but dependabot's docs#4, which counts for no team; lead times 2..217 pooled",
    ),
    (
        "mart_org_weekly",
        ("platform", D("2026-02-09")),
        {"deploys_per_engineer": 2 / 6, "adoption_rate": 0.0, "ai_native_teams": 1},
        "flagged deploys excluded",
    ),
    # ---- mart_tool_monthly
    (
        "mart_tool_monthly",
        ("claude_code", D("2026-01-01")),
        {
            "monthly_active_users": 5,
            "licensed_engineers": 6,
            "active_licensed_engineers": 5,
            "idle_seats": 1,
            "idle_cost_usd": 100.0,
            "nps": 50.0,
            "nps_responses": 6,
        },
        "Abel's seat idle on 01-31; NPS: 9,10,7,9 (Aiko's latest),10,3 anonymous; the manager's 0 excluded",
    ),
    (
        "mart_tool_monthly",
        ("claude_code", D("2026-02-01")),
        {
            "licensed_engineers": 5,
            "active_licensed_engineers": 3,
            "licence_utilisation": 0.6,
            "idle_seats": 2,
            "idle_cost_usd": 200.0,
            "shadow_users": 1,
            "nps": None,
            "nps_responses": 2,
        },
        "on 02-18: Aiko revoked 02-10 (then a shadow user), Ayo's last use 01-21 is 28 days back: idle",
    ),
    (
        "mart_tool_monthly",
        ("github_copilot", D("2026-01-01")),
        {"monthly_active_users": 2, "idle_seats": 3, "idle_cost_usd": 57.0, "nps": None, "nps_responses": 3},
        "Bilal's only interaction came from his bot alias; 3 responses are below min_group_size",
    ),
    (
        "mart_tool_monthly",
        ("cursor", D("2026-02-01")),
        {"nps": 0.0, "nps_responses": 5, "shadow_users": 1},
        "exactly 5 responses: 10,9,8 / 6,5; Chen uses cursor without a grant",
    ),
    (
        "mart_tool_monthly",
        ("internal_chat", D("2026-01-01")),
        {"monthly_active_users": 3, "licensed_engineers": None, "idle_seats": None, "shadow_users": 0},
        "no licence needed; the manager's chats are not an engineer's",
    ),
    # ---- mart_tool_daily
    (
        "mart_tool_daily",
        ("claude_code", D("2026-02-18")),
        {"rolling_28d_active_users": 4, "licensed_engineers": 5, "licence_utilisation": 0.6},
        "[01-22, 02-18]: Ayo's 01-21 interaction just falls out",
    ),
    (
        "mart_tool_daily",
        ("cursor", D("2026-01-05")),
        {"daily_active_users": 1, "licensed_engineers": 2, "licence_utilisation": 0.0},
        "Chen (shadow) is active; neither seat holder has been active yet",
    ),
]


@dataclass(frozen=True)
class PipelineRun:
    landing: Path
    workdir: Path
    succeeded: bool


@pytest.fixture(scope="module")
def pipeline_run(tmp_path_factory: pytest.TempPathFactory) -> PipelineRun:
    root = tmp_path_factory.mktemp("metrics_end_to_end")
    landing, workdir = root / "landing", root / "work"
    write_metrics_landing(landing)
    succeeded = run_isolated(Workspace(landing=landing, workdir=workdir), FIRST_DAY, LAST_DAY, full_refresh=True)
    return PipelineRun(landing, workdir, succeeded)


@pytest.fixture(scope="module")
def expected(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    landing = tmp_path_factory.mktemp("metrics_oracle") / "landing"
    write_metrics_landing(landing)
    return expected_marts(landing)


@pytest.fixture(scope="module")
def warehouse(pipeline_run: PipelineRun):
    path = pipeline_run.workdir / "warehouse.duckdb"
    if not path.exists():
        pytest.fail(f"the pipeline wrote no warehouse at {path}")
    # A failed dbt step can leave its dbt process finishing in the background, holding the write lock.
    deadline = time.monotonic() + 120
    while True:
        try:
            connection = duckdb.connect(str(path), read_only=True)
            break
        except duckdb.IOException as error:
            if "lock" not in str(error).lower() or time.monotonic() > deadline:
                raise
            time.sleep(2)
    yield connection
    connection.close()


def test_pipeline_succeeds(pipeline_run: PipelineRun):
    assert pipeline_run.succeeded, "the pipeline run over the metrics fixture failed (see its log above)"


def test_nothing_is_quarantined(pipeline_run: PipelineRun):
    quarantined = [
        path.relative_to(pipeline_run.workdir).as_posix()
        for path in (pipeline_run.workdir / "lake" / "quarantine").rglob("*")
        if path.is_file()
    ]
    assert quarantined == [], "every record of the fixture is valid"


@pytest.mark.parametrize("mart", list(MART_KEYS))
def test_mart_matches_the_independent_computation(mart: str, warehouse, expected):
    problems = differences(mart, expected[mart], read_mart(warehouse, mart))
    assert not problems, f"main.{mart} differs from metric definitions v1:\n{shown(problems)}"


def _hand_computed_ids() -> list[str]:
    return [f"{mart}:{'/'.join(str(part) for part in key)}" for mart, key, _, _ in HAND_COMPUTED]


@pytest.mark.parametrize(("mart", "key", "values", "why"), HAND_COMPUTED, ids=_hand_computed_ids())
def test_oracle_agrees_with_hand_computed_values(mart, key, values, why, expected):
    row = next(row for row in expected[mart] if tuple(row[column] for column in MART_KEYS[mart]) == key)
    wrong = {column: row[column] for column, value in values.items() if not same(value, row[column])}
    assert not wrong, f"oracle {mart} {key} ({why}): expected {values}, got {wrong}"


@pytest.mark.parametrize(("mart", "key", "values", "why"), HAND_COMPUTED, ids=_hand_computed_ids())
def test_mart_has_hand_computed_values(mart, key, values, why, warehouse):
    rows = [row for row in read_mart(warehouse, mart) if tuple(row[column] for column in MART_KEYS[mart]) == key]
    assert len(rows) == 1, f"main.{mart} has {len(rows)} rows for {key}"
    wrong = {column: rows[0][column] for column, value in values.items() if not same(value, rows[0][column])}
    assert not wrong, f"main.{mart} {key} ({why}): expected {values}, got {wrong}"
