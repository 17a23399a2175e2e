"""The landing gates of pull requests, evaluated on a tiny workspace (no pipeline run): optional, so a landing
without them passes every gate; a partition that breaks the contract, or a day quarantined beyond
quarantine_tolerance, blocks; an organisation's metric_vars override moves the tolerance."""

import json
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg

from orchestration.defs.ingest.daily_assets import pull_requests
from orchestration.defs.quality.checks import LANDING_GATES, Scope, validator
from orchestration.lib import lake
from orchestration.lib.journal import Journal
from orchestration.lib.workspace import Workspace
from tests.conftest import resources_of

DAY = date(2026, 3, 2)
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "generic_contract" / "pull_requests" / "2026-03-02.ndjson"


def gate(workspace: Workspace, check: str, days: list[date] = [DAY]) -> dg.AssetCheckResult:  # noqa: B006
    return LANDING_GATES[("pull_requests", check)][1](Scope(workspace, days, validator(workspace)), "pull_requests")


def ingest(workspace: Workspace, lines: list[str]) -> None:
    landing = workspace.landing / "pull_requests" / f"{DAY.isoformat()}.ndjson"
    landing.parent.mkdir(parents=True, exist_ok=True)
    landing.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    materialize(workspace)


def materialize(workspace: Workspace) -> None:
    """The day's pull requests ingested, the lake changes kept (as a run that publishes keeps them)."""
    result = dg.materialize(
        [pull_requests],
        partition_key=DAY.isoformat(),
        instance=dg.DagsterInstance.ephemeral(),
        resources=resources_of(workspace),
    )
    assert result.success
    Journal(workspace.lake, result.run_id).commit()


def numbered(count: int) -> list[str]:
    """`count` valid pull requests, the fixture's first with its own pr_id and number."""
    first = json.loads(FIXTURE.read_text().splitlines()[0])
    return [json.dumps(first | {"pr_id": f"acme/checkout#{n}", "number": n}) for n in range(1, count + 1)]


def test_a_landing_without_pull_requests_passes_every_pull_request_gate(tiny_workspace):
    assert not (tiny_workspace.landing / "pull_requests").exists()
    materialize(tiny_workspace)
    checks = {check for entity, check in LANDING_GATES if entity == "pull_requests"}
    assert checks == {"landing_contract", "quarantine_within_tolerance", "source_not_silent"}
    for check in checks:
        assert gate(tiny_workspace, check).passed, check


def test_honest_pull_requests_pass_the_landing_contract(tiny_workspace):
    ingest(tiny_workspace, FIXTURE.read_text().splitlines())
    contract = gate(tiny_workspace, "landing_contract")
    assert contract.passed, contract.description
    assert contract.metadata["rows_validated"].value == 3
    assert gate(tiny_workspace, "quarantine_within_tolerance").passed


def test_a_partition_that_breaks_the_contract_blocks(tiny_workspace):
    # written straight to the lake, as a connector bug or a hand edit would leave it
    good = {
        "pr_id": "acme/checkout#1",
        "repository": "acme/checkout",
        "number": 1,
        "author": "ana-gh",
        "author_type": "login",
        "created_at": datetime(2026, 3, 1, tzinfo=UTC),
        "merged_at": datetime(2026, 3, 2, 10, tzinfo=UTC),
        "closed_at": datetime(2026, 3, 2, 10, tzinfo=UTC),
        "additions": 3,
        "has_commit_list": False,
        "updated_at": datetime(2026, 3, 2, 10, tzinfo=UTC),
        "_source_file": "pull_requests/2026-03-02.ndjson",
        "_source_line": 1,
    }
    broken = [
        good,
        good | {"pr_id": "acme/checkout#0", "number": 0, "_source_line": 2},
        good | {"pr_id": "acme/checkout#2", "number": 2, "deletions": -4, "author_type": "robot", "_source_line": 3},
        # merged the day after the partition's
        good | {"pr_id": "acme/checkout#3", "number": 3, "merged_at": datetime(2026, 3, 3, 1, tzinfo=UTC)},
        # closed before it was created
        good | {"pr_id": None, "number": 4, "merged_at": None, "closed_at": datetime(2026, 2, 28, tzinfo=UTC)},
    ]
    table = lake.canonical_table("pull_requests", broken)
    lake.write_partition(tiny_workspace.raw, "pull_requests", DAY, table, "hand-edit", lake.utc_now())

    contract = gate(tiny_workspace, "landing_contract")
    assert not contract.passed and contract.severity == dg.AssetCheckSeverity.ERROR
    failing = contract.metadata["failing_expectations"].value
    for expected in (
        "expect_column_values_to_not_be_null on pr_id",
        "expect_column_values_to_be_between on number",
        "expect_column_values_to_be_between on deletions",
        "expect_column_values_to_be_in_set on author_type",
        "expect_column_values_to_be_between on merged_at",
        "expect_column_pair_values_to_be_equal on partition_day,record_day",
        "expect_column_pair_values_a_to_be_greater_than_b on closed_at,created_at",
    ):
        assert expected in failing, failing


def test_a_day_quarantined_beyond_the_tolerance_blocks_unless_the_organisation_raises_it(tiny_workspace):
    unreadable = [json.dumps({"pr_id": f"acme/checkout#{n}", "number": n}) for n in range(100, 110)]
    ingest(tiny_workspace, numbered(10) + unreadable)
    blocked = gate(tiny_workspace, "quarantine_within_tolerance")
    assert not blocked.passed and blocked.severity == dg.AssetCheckSeverity.ERROR
    assert blocked.metadata["violations"].value == 1

    # an organisation's override of the shipped threshold, by name, as for every other entity
    reference = tiny_workspace.landing / "reference" / "metric_vars.csv"
    reference.parent.mkdir(exist_ok=True)
    reference.write_text("name,value,meaning\nquarantine_tolerance,0.6,our pull request export is half broken\n")
    tolerated = gate(tiny_workspace, "quarantine_within_tolerance")
    assert tolerated.severity == dg.AssetCheckSeverity.WARN
    assert '"quarantined": 10' in tolerated.description
