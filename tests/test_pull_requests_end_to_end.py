"""The session's demo organisation's pull requests, through the whole pipeline, against what the generator planted.

The generator knows which pull requests carry an AI tool's trailer, author or branch, and which deploy shipped
each merged pull request (tests/tools/test_generator.py checks its pull requests against its own files); the
warehouse must find the same from the landing files alone.
"""

from datetime import datetime

import duckdb
import pytest

from tests.conftest import DemoRun


def _pull_requests(demo: DemoRun) -> dict[str, tuple]:
    with duckdb.connect(str(demo.workspace.warehouse), read_only=True) as con:
        rows = con.execute(
            "select pr_id, is_ai_assisted, lead_time_rule, deployment_id, lead_time_hours from main.fct_pull_requests"
        ).fetchall()
    return {row[0]: row[1:] for row in rows}


def _hours(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 3600


def test_the_ai_assisted_pull_requests_are_those_the_tools_marked(demo_run: DemoRun):
    planted = {case["pr_id"] for case in demo_run.ground_truth["ai_assisted_pull_requests"]}
    assert planted, "the demo planted no AI-assisted pull request"
    found = {pr_id for pr_id, (assisted, *_) in _pull_requests(demo_run).items() if assisted}
    assert found == planted, (sorted(found - planted)[:5], sorted(planted - found)[:5])


def test_each_merged_pull_request_is_shipped_by_the_deploy_the_generator_sent_it_with(demo_run: DemoRun):
    warehouse = _pull_requests(demo_run)
    truth = demo_run.ground_truth["pull_request_lead_time"]
    assert {entry["rule"] for entry in truth} >= {"merge_commit", "after_merge"}
    assert {entry["pr_id"] for entry in truth} == set(warehouse)
    for entry in truth:
        _, rule, deployment_id, lead_time_hours = warehouse[entry["pr_id"]]
        assert (rule, deployment_id) == (entry["rule"], entry["deployment_id"]), entry
        if entry["deployed_at"]:
            assert lead_time_hours == pytest.approx(_hours(entry["first_commit_at"], entry["deployed_at"])), entry
