"""Deploys that no service owns never silently empty the deploy metrics.

A small hand-written organisation: GitHub deployment_status webhooks name the service by the repository's
full name (acme/checkout) while services.csv lists the bare repository name (checkout); they must match and
count for the team. A single deploy of a service nobody listed is reported and only warns; a day of deploys
of an unknown service blocks publication, names the service and leaves the previous publication as it was.
"""

import json
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.workspace import Workspace
from tests.conftest import run_isolated, write_files
from tests.defs.quality.test_gates import published_checksums

MONDAY, TUESDAY, WEDNESDAY = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)


def webhook(deployment_id: int, repository: str, deployed_at: str, state: str = "success") -> str:
    """A GitHub deployment_status webhook payload, reduced to the fields the connector reads."""
    return json.dumps(
        {
            "action": "created",
            "deployment_status": {"state": state, "updated_at": deployed_at, "creator": {"login": "ana-gh"}},
            "deployment": {"id": deployment_id, "sha": f"{deployment_id:040x}", "environment": "production"},
            "repository": {"name": repository.split("/")[-1], "full_name": repository},
        }
    )


def generic_deploy(deployment_id: str, service: str, deployed_at: str) -> str:
    return json.dumps(
        {
            "deployment_id": deployment_id,
            "service": service,
            "environment": "production",
            "commit_sha": f"sha-{deployment_id}",
            "status": "success",
            "deployed_at": deployed_at,
            "triggered_by": "ana@example.com",
            "lines_changed": 12,
        }
    )


ENGINEERS = ["ana", "bo", "cy", "di", "ed"]  # five: exactly min_group_size, so the team-week is published

LANDING = {
    "roster/roster_2026-03-02.csv": "engineer_id,email,github_login,full_name,team_id,manager_email,role,is_engineer\n"
    + "".join(f"eng-{name},{name}@example.com,{name}-gh,{name.title()},team-a,,engineer,true\n" for name in ENGINEERS),
    "teams/teams.csv": "team_id,team_name,org,parent_org,velocity_target\nteam-a,Alpha,Payments,Commerce,3\n",
    "services/services.csv": "service,team_id,valid_from,valid_to\ncheckout,team-a,2025-01-01,\n",
    "licences/grants.csv": (
        "identity,tool,granted_at,revoked_at,plan,monthly_cost_usd\n"
        "ana@example.com,cursor,2026-02-01T00:00:00Z,,business,40\n"
    ),
    # five production deploys of acme/checkout, and one still in progress (not a deploy)
    "deployments/github_deployment_status/deployment_statuses.ndjson": "\n".join(
        [
            webhook(101, "acme/checkout", "2026-03-02T09:00:00Z"),
            webhook(102, "acme/checkout", "2026-03-02T11:00:00Z"),
            webhook(103, "Acme/Checkout", "2026-03-02T15:00:00Z"),
            webhook(104, "acme/checkout", "2026-03-03T10:00:00Z", state="in_progress"),
            webhook(104, "acme/checkout", "2026-03-03T10:05:00Z"),
            webhook(105, "acme/checkout", "2026-03-03T14:00:00Z"),
        ]
    )
    + "\n",
    "deployments/2026-03-02.ndjson": "",
    # one deploy of a service services.csv does not list
    "deployments/2026-03-03.ndjson": generic_deploy("stray-1", "acme/sandbox", "2026-03-03T16:00:00Z") + "\n",
    "usage/2026-03-02.ndjson": (
        '{"event_id":"e1","occurred_at":"2026-03-02T10:00:00Z","identity":"ana@example.com",'
        '"tool":"cursor","event_type":"interaction"}\n'
    ),
    "usage/2026-03-03.ndjson": (
        '{"event_id":"e2","occurred_at":"2026-03-03T10:00:00Z","identity":"ana@example.com",'
        '"tool":"cursor","event_type":"interaction"}\n'
    ),
}


@dataclass(frozen=True)
class Published:
    workspace: Workspace
    succeeded: bool


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    root = tmp_path_factory.mktemp("unowned")
    workspace = Workspace(landing=write_files(root / "landing", LANDING), workdir=root / "work")
    return Published(workspace, run_isolated(workspace, MONDAY, TUESDAY))


def query(workspace: Workspace, sql: str) -> list[tuple]:
    with duckdb.connect(str(workspace.published / "current" / "marts.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_owner_repo_deploys_count_for_the_team_owning_the_bare_repo(published: Published):
    assert published.succeeded
    assert query(published.workspace, "select team_id, headcount, production_deploys from main.mart_team_weekly") == [
        ("team-a", 5, 5)
    ]
    with duckdb.connect(str(published.workspace.warehouse), read_only=True) as con:
        matched = con.execute(
            "select service_id, matched_service_id, team_id from main.fct_deployments "
            "where service_id <> 'acme/sandbox' group by all order by all"
        ).fetchall()
    assert matched == [("Acme/Checkout", "checkout", "team-a"), ("acme/checkout", "checkout", "team-a")]


def test_a_single_stray_deploy_is_reported_and_only_warns(published: Published):
    assert published.succeeded
    assert query(published.workspace, "select * from main.mart_unowned_deployments") == [
        ("acme/sandbox", "production", TUESDAY, "no_service_owner", 1, 1, False)
    ]
    assert query(
        published.workspace,
        "select entity_id, period_start, is_acknowledged from main.mart_guard_signals "
        "where signal_type = 'unowned_deployment'",
    ) == [("acme/sandbox", TUESDAY, False)]
    manifest = json.loads((published.workspace.published / "manifest.json").read_text())
    not_passed = [
        (check["asset"], check["check"], check["severity"]) for check in manifest["checks"] if not check["passed"]
    ]
    assert not_passed == [("warehouse/mart_unowned_deployments", "unowned_within_tolerance", "WARN")]


def test_an_unknown_service_at_volume_blocks_publication(published: Published, tmp_path: Path, capsys):
    assert published.succeeded
    workspace = Workspace(landing=tmp_path / "landing", workdir=tmp_path / "work")
    shutil.copytree(published.workspace.landing, workspace.landing)
    shutil.copytree(published.workspace.workdir, workspace.workdir, symlinks=True)
    before = published_checksums(workspace.published)
    write_files(
        workspace.landing,
        {
            "deployments/2026-03-04.ndjson": "".join(
                generic_deploy(f"ghost-{hour}", "acme/ghost", f"2026-03-04T{hour:02d}:00:00Z") + "\n"
                for hour in range(8, 14)
            )
        },
    )
    capsys.readouterr()
    succeeded = run_isolated(workspace, WEDNESDAY, WEDNESDAY, full_refresh=False)
    output = capsys.readouterr().out
    assert not succeeded
    [gate] = [
        index for index, line in enumerate(output.splitlines()) if line.startswith("Gate unowned_within_tolerance")
    ]
    block = "\n".join(output.splitlines()[gate : gate + 4])  # the gate, what it found, what it means, what to do
    assert "acme/ghost (6, no_service_owner)" in block and "acme/sandbox (1, no_service_owner)" in block
    assert "services.csv" in block and "guard_acknowledgements.csv" in block
    assert f"aaw run --landing {workspace.landing} --workdir {workspace.workdir} --from 2026-03-04" in output
    assert published_checksums(workspace.published) == before
