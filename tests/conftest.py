"""Shared fixtures: a tiny hand-written landing, and one small generated demo run per session."""

import contextlib
import hashlib
import io
import json
import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import dagster as dg
import pytest

from orchestration.cli import main, run_pipeline
from orchestration.defs.ingest.assets import ingest_assets
from orchestration.defs.resources import WorkspaceResource
from orchestration.lib.workspace import Workspace
from orchestration.tools.demo.generator import DemoSpec, generate

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


# A module that runs the whole pipeline, or reads the session's run, names one of these.
PIPELINE_RUNNERS = ("demo_run", "run_isolated", "run_pipeline")


@cache
def _runs_pipeline(module_file: str) -> bool:
    source = Path(module_file).read_text(encoding="utf-8")
    return any(runner in source for runner in PIPELINE_RUNNERS)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under `make test`'s two xdist workers (`--dist loadgroup`), a module's tests run on one worker, so a
    module fixture (a pipeline run, often) is built once; a test with its own group keeps it.

    The slow modules (several minutes each) come first: the workers hand out groups in this order, and a slow
    group started last would run alone at the end while the other worker idles.

    A module with whole-pipeline runs (the campaign and the benchmark too) is marked `pipeline`:
    `pytest -m 'not pipeline'` is the few minutes of unit, property and dbt unit tests to run while working."""
    for item in items:
        if not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
        runs_pipeline = item.get_closest_marker("campaign") or item.get_closest_marker("bench")
        if runs_pipeline or _runs_pipeline(item.module.__file__):
            item.add_marker(pytest.mark.pipeline)
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable: the rest keep their order


TINY_LANDING = {
    "roster/roster_2026-03-02.csv": (
        "engineer_id,email,github_login,full_name,team_id,manager_email,role,is_engineer\n"
        "eng-1,ana@example.com,ana-gh,Ana A,team-a,mia@example.com,engineer,true\n"
        "eng-2,bo@example.com,bo-gh,Bo B,team-a,mia@example.com,engineer,true\n"
        "eng-3,mia@example.com,mia-gh,Mia M,team-a,,manager,false\n"
    ),
    "teams/teams.csv": "team_id,team_name,org,parent_org,velocity_target\nteam-a,Alpha,Payments,Commerce,3\n",
    "services/services.csv": "service,team_id,valid_from,valid_to\ncheckout,team-a,2025-01-01,\n",
    "licences/grants.csv": (
        "identity,tool,granted_at,revoked_at,plan,monthly_cost_usd\n"
        "ana@example.com,cursor,2026-02-01T00:00:00Z,,business,40\n"
    ),
    "deployments/2026-03-02.ndjson": (
        '{"deployment_id":"d1","service":"checkout","environment":"production","commit_sha":"abc",'
        '"status":"success","deployed_at":"2026-03-02T10:00:00Z","triggered_by":"ana@example.com","lines_changed":10}\n'
        '{"deployment_id":"d2","service":"checkout","environment":"production","commit_sha":"abd",'
        '"status":"shipped","deployed_at":"2026-03-02T11:00:00Z"}\n'
    ),
    "deployments/2026-03-03.ndjson": "",
    "usage/2026-03-02.ndjson": (
        '{"event_id":"e1","occurred_at":"2026-03-02T10:00:00Z","identity":"ana@example.com",'
        '"tool":"cursor","event_type":"interaction"}\n'
        '{"event_id":"e2","occurred_at":"2026-03-02T10:00:00Z","identity":"ana@example.com",'
        '"tool":"cursor","event_type":"interaction"\n'
    ),
    "usage/2026-03-03.ndjson": (
        '{"event_id":"e3","occurred_at":"2026-03-03T10:00:00Z","identity":"Bo@Example.com",'
        '"tool":"internal_chat","event_type":"interaction"}\n'
    ),
    "surveys/wave1.csv": (
        "response_id,survey_id,respondent,tool,score,submitted_at\nr1,nps-1,ana@example.com,cursor,9,2026-03-03T12:00:00Z\n"
    ),
}


def write_files(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def tree_digest(root: Path) -> dict[str, str]:
    """Every file under root with the hash of its bytes, and every folder (an empty one counts too)."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "folder"
        for path in sorted(root.rglob("*"))
    }


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """An S3-compatible endpoint on the loopback address (moto's server), found by s3fs through the standard
    AWS variables, as a real deployment configures it; yields its URL."""
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    variables = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": url,
    }
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield url
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        server.stop()


@pytest.fixture
def s3_bucket(s3_endpoint: str) -> str:
    """A new empty bucket on the test endpoint: its URI, `s3://<bucket>`."""
    from orchestration.lib.lake_fs import filesystem

    bucket = f"lake-{uuid.uuid4().hex[:12]}"
    filesystem("s3").mkdir(bucket)
    return f"s3://{bucket}"


@pytest.fixture
def tiny_workspace(tmp_path: Path) -> Workspace:
    """A workspace over TINY_LANDING (hand it to Dagster with `resources_of`)."""
    return Workspace(landing=write_files(tmp_path / "landing", TINY_LANDING), workdir=tmp_path / "work")


def resources_of(workspace: Workspace) -> dict[str, WorkspaceResource]:
    """The resources an asset, check or sensor of the pipeline needs to work in `workspace`."""
    return {"workspace": WorkspaceResource.of(workspace)}


def ingest_day(workspace: Workspace, day: str) -> dg.ExecuteInProcessResult:
    """The ingest assets of one day's partition materialised in `workspace` (the lake changes stay open)."""
    return dg.materialize(
        ingest_assets, partition_key=day, instance=dg.DagsterInstance.ephemeral(), resources=resources_of(workspace)
    )


@dataclass(frozen=True)
class DemoRun:
    """A small generated organisation run once through the whole pipeline (shared by the session)."""

    workspace: Workspace
    ground_truth: dict
    first: date
    last: date
    succeeded: bool
    output: str  # what `aaw run` printed (captured as a pipe would: plain lines)


SMALL_DEMO = DemoSpec(teams=3, engineers_per_team=6, days=21, seed=11)


# One organisation's pseudonymisation secret for every test run: two workdirs of the same organisation
# (a copy, the vendor-format twin of the demo) must publish the same keys to compare equal.
TEST_ORGANISATION_SECRET = "5e" * 32


def with_organisation_secret(workspace: Workspace) -> None:
    if workspace.pseudonym_key.exists():
        return
    workspace.pseudonym_key.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    workspace.pseudonym_key.write_text(TEST_ORGANISATION_SECRET + "\n")
    workspace.pseudonym_key.chmod(0o600)


def run_isolated(workspace: Workspace, first: date, last: date, full_refresh: bool = True) -> bool:
    """run_pipeline under the tests' organisation secret."""
    with_organisation_secret(workspace)
    return run_pipeline(workspace, first, last, full_refresh=full_refresh)


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    root = tmp_path_factory.mktemp("demo")
    workspace = Workspace(landing=root / "landing", workdir=root / "work")
    summary = generate(SMALL_DEMO, workspace.landing, root / "ground_truth.json", progress=lambda line: None)
    first, last = date.fromisoformat(summary["start"]), date.fromisoformat(summary["end"])
    with_organisation_secret(workspace)
    command = ["run", "--landing", str(workspace.landing), "--workdir", str(workspace.workdir), "--full-refresh"]
    command += ["--from", first.isoformat(), "--to", last.isoformat()]
    output = io.StringIO()
    with contextlib.redirect_stdout(output):  # through the command line, as a user runs it
        succeeded = main(command) == 0
    ground_truth = json.loads((root / "ground_truth.json").read_text())
    return DemoRun(workspace, ground_truth, first, last, succeeded, output.getvalue())
