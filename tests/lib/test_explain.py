"""`aaw explain`: the records it lists are the ones behind the number, found here independently of the
warehouse (lake Parquet + the landing's services.csv, classified by tests/metrics_oracle.py's reading of
the metric definitions), and its inputs reproduce the published value."""

import csv
import json
from collections import defaultdict
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from orchestration.cli import main
from orchestration.lib.explain import ExplainError, column_definition, explain_workdir
from orchestration.lib.workspace import SEEDS_DIR

try:  # tests/ on sys.path (pytest's rootdir-relative import without tests/__init__.py)
    from metrics_oracle import Deploy, deploy_facts
except ModuleNotFoundError:  # tests is a package
    from tests.metrics_oracle import Deploy, deploy_facts


def _reference(landing: Path, name: str) -> list[dict[str, str]]:
    override = landing / "reference" / f"{name}.csv"
    with (override if override.exists() else SEEDS_DIR / f"{name}.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def lake_quality_adjusted_deploys(lake_raw: Path, landing: Path) -> dict[tuple[str, date], set[str]]:
    """(team, week) -> ids of its quality-adjusted production deploys, from the lake and services.csv only."""
    with duckdb.connect() as con:
        rows = con.execute(
            "select deployment_id, service, lower(environment), commit_sha, status, "
            "cast(deployed_at at time zone 'UTC' as timestamp), lines_changed, rollback_of "
            f"from read_parquet('{lake_raw / 'deployments'}/*/*.parquet') "
            "qualify row_number() over (partition by deployment_id "
            "order by _loaded_at desc, _source_file desc, _source_line desc) = 1"
        ).fetchall()
    owners = [
        (
            row["service"],
            row["team_id"],
            date.fromisoformat(row["valid_from"][:10]),
            date.fromisoformat(row["valid_to"][:10]) if row["valid_to"] else None,
        )
        for row in csv.DictReader((landing / "services" / "services.csv").open(newline=""))
    ]

    def service_team(service: str, day: date) -> str | None:
        for name, team, valid_from, valid_to in owners:
            if name == service and valid_from <= day and (valid_to is None or day < valid_to):
                return team
        return None

    data = SimpleNamespace(
        deploys=[Deploy(*row[:7], rollback_of=row[7] or None) for row in rows],
        production_environments={
            row["environment"].lower() for row in _reference(landing, "environments") if row["is_production"] == "true"
        },
        vars={row["name"]: float(row["value"]) for row in _reference(landing, "metric_vars")},
        service_team=service_team,
    )
    expected: dict[tuple[str, date], set[str]] = defaultdict(set)
    for fact in deploy_facts(data):
        if fact.team_id and not (fact.is_failed or fact.is_flagged or fact.is_reverted):
            expected[(fact.team_id, fact.week)].add(fact.deploy.deployment_id)
    return expected


def _published(demo_run, sql: str) -> list[tuple]:
    with duckdb.connect(str(demo_run.workspace.published / "current" / "marts.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def team_weeks(demo_run) -> list[tuple]:
    assert demo_run.succeeded
    return _published(
        demo_run,
        "select team_id, week_start, production_deploys, quality_adjusted_deploys, deploys_per_engineer "
        "from mart_team_weekly where not is_suppressed order by production_deploys - quality_adjusted_deploys desc",
    )


def test_listed_deploys_are_exactly_the_quality_adjusted_deploys_found_in_the_lake(demo_run, team_weeks):
    workspace = demo_run.workspace
    expected = lake_quality_adjusted_deploys(workspace.raw, workspace.landing)
    assert team_weeks, "the demo must publish team-weeks above the minimum group size"
    for team, week, _, quality_adjusted, published in team_weeks:
        explanation = explain_workdir(workspace.workdir, "deploys_per_engineer", team=team, week=week)
        listed = {row[0] for row in explanation.record_sets[0].rows}
        assert listed == expected[(team, week)], (team, week)
        inputs = dict(explanation.inputs)
        assert inputs["quality_adjusted_deploys"] == quality_adjusted == len(listed)
        assert inputs["quality_adjusted_deploys"] / inputs["headcount"] == pytest.approx(published)
        assert explanation.published_value == pytest.approx(published)


def test_listed_sources_point_at_the_landing_records(demo_run, team_weeks):
    team, week, production, quality_adjusted, _ = team_weeks[0]  # the week with most excluded deploys
    explanation = explain_workdir(demo_run.workspace.workdir, "production_deploys", team=team, week=week)
    rows = explanation.record_sets[0].rows
    assert len(rows) == production >= quality_adjusted
    for row in rows:
        file, line = row[-1].rsplit(":", 1)
        record = json.loads((demo_run.workspace.landing / file).read_text().splitlines()[int(line) - 1])
        assert record["deployment_id"] == row[0]


def test_cli_prints_definition_value_inputs_and_records(demo_run, team_weeks, capsys):
    team, week, _, quality_adjusted, published = team_weeks[0]
    workdir = str(demo_run.workspace.workdir)
    code = main(
        ["explain", "--metric", "deploys_per_engineer", "--team", team, "--week", str(week), "--workdir", workdir]
    )
    output = capsys.readouterr().out
    assert code == 0
    assert "quality-adjusted deploys / headcount" in output  # the dbt doc block of the column
    assert f"= {quality_adjusted} / " in output and f"{published:.4f}".rstrip("0").rstrip(".") in output
    expected = lake_quality_adjusted_deploys(demo_run.workspace.raw, demo_run.workspace.landing)[(team, week)]
    assert all(deployment_id in output for deployment_id in expected)
    assert main(["explain", "--metric", "nps", "--team", team, "--week", str(week), "--workdir", workdir]) == 2


def test_team_metric_inputs_reproduce_the_published_values(demo_run, team_weeks):
    for team, week, *_ in team_weeks:
        rate = explain_workdir(demo_run.workspace.workdir, "change_failure_rate", team=team, week=week)
        failed, reverted, production = (value for _, value in rate.inputs)
        computed = (failed + reverted) / (production + failed) if production + failed else None
        assert computed == pytest.approx(rate.published_value) if computed is not None else rate.published_value is None
        active = explain_workdir(demo_run.workspace.workdir, "weekly_active_ai_users", team=team, week=week)
        assert len({row[1] for row in active.record_sets[0].rows}) == active.published_value
        value = explain_workdir(demo_run.workspace.workdir, "value_deriving_events", team=team, week=week)
        assert sum(row[5] for row in value.record_sets[0].rows) == value.published_value


def test_pull_request_metrics_list_the_pull_requests_and_rules_behind_the_published_values(demo_run, team_weeks):
    workdir = demo_run.workspace.workdir
    planted = {case["pr_id"]: case["tool"] for case in demo_run.ground_truth["ai_assisted_pull_requests"]}
    seen_assisted = 0
    for team, week, *_ in team_weeks:
        share = explain_workdir(workdir, "ai_assisted_pr_share", team=team, week=week)
        pull_requests, evidence = (record_set.rows for record_set in share.record_sets)
        assisted = [row[0] for row in pull_requests if row[2] == "yes"]
        assert set(assisted) <= set(planted)
        assert share.published_value == (pytest.approx(len(assisted) / len(pull_requests)) if pull_requests else None)
        strong_tools = {(row[0], row[4]) for row in evidence if row[3] == "strong"}
        assert all((pr_id, planted[pr_id]) in strong_tools for pr_id in assisted), (team, week)
        seen_assisted += len(assisted)
        lead = explain_workdir(workdir, "lead_time_hours_p50", team=team, week=week)
        hours = sorted(float(row[7]) for row in lead.record_sets[0].rows if row[7] != "null")
        expected = (hours[(len(hours) - 1) // 2] + hours[len(hours) // 2]) / 2 if hours else None
        assert lead.published_value == (pytest.approx(expected, abs=1e-3) if hours else None), (team, week)
    assert seen_assisted, "no published team-week had an AI-assisted pull request"


def test_tool_metric_inputs_reproduce_the_published_values(demo_run):
    workdir = demo_run.workspace.workdir
    rows = _published(demo_run, "select tool, month_start, licence_utilisation, nps from mart_tool_monthly")
    assert rows
    for tool, month, utilisation, nps in rows:
        explained = explain_workdir(workdir, "licence_utilisation", tool=tool, month=month)
        if utilisation is not None:
            licensed, active = (value for _, value in explained.inputs)
            assert active / licensed == pytest.approx(utilisation)
        survey = explain_workdir(workdir, "nps", tool=tool, month=month)
        responses, promoters, _, detractors = (value for _, value in survey.inputs)
        assert responses == len(survey.record_sets[0].rows)
        if nps is not None:
            assert 100 * (promoters - detractors) / responses == pytest.approx(nps)
        users = explain_workdir(workdir, "monthly_active_users", tool=tool, month=month)
        assert len({row[1] for row in users.record_sets[0].rows}) == users.published_value
        idle = explain_workdir(workdir, "idle_seats", tool=tool, month=month)
        shadow = explain_workdir(workdir, "shadow_users", tool=tool, month=month)
        if idle.published_value is None:  # a tool without licences: no seats, no shadow users
            assert not idle.record_sets and shadow.published_value == 0
        else:
            assert len(idle.record_sets[0].rows) == idle.published_value
            assert len({row[1] for row in shadow.record_sets[0].rows}) == shadow.published_value


def test_ai_impact_lists_every_team_in_its_cohort_and_the_estimates(demo_run, capsys):
    cohorts = dict(_published(demo_run, "select team_id, cohort from mart_team_cohorts"))
    explanation = explain_workdir(demo_run.workspace.workdir, "ai_impact")
    listed = {
        row[0]: record_set.title.split()[1]
        for record_set in explanation.record_sets
        if record_set.title.startswith("Cohort ")
        for row in record_set.rows
    }
    assert listed == cohorts and len(listed) == 3
    [estimates] = [record_set for record_set in explanation.record_sets if record_set.title.startswith("Estimates")]
    published = _published(demo_run, "select count(*) from mart_ai_impact where effect_window = '0..+8'")[0][0]
    assert len(estimates.rows) == published > 0
    # three teams over three weeks cannot support an estimate: no number, and the reason instead
    assert explanation.value is None and any(note.startswith("Not estimated: ") for note in explanation.notes)
    assert main(["explain", "--metric", "ai_impact", "--workdir", str(demo_run.workspace.workdir)]) == 0
    printed = capsys.readouterr().out
    assert all(team in printed for team in cohorts)


def test_unknown_keys_are_explained_errors(demo_run):
    workdir = demo_run.workspace.workdir
    with pytest.raises(ExplainError, match="not in mart_team_weekly"):
        explain_workdir(workdir, "deploys_per_engineer", team="no-such-team", week=demo_run.first)
    with pytest.raises(ExplainError, match="not in the data"):
        explain_workdir(workdir, "nps", tool="claude_code", month=date(1999, 1, 1))
    with pytest.raises(ExplainError, match="unknown metric"):
        explain_workdir(workdir, "clicks", team="x", week=demo_run.first)


def test_definitions_come_from_the_dbt_docs():
    definition = column_definition("mart_team_weekly", "deploys_per_engineer")
    assert "quality-adjusted deploys / headcount" in definition and "{{" not in definition
    assert "share of responses scoring 9-10" in column_definition("mart_tool_monthly", "nps")
