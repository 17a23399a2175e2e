"""What reaches published/ names nobody: identities only as keyed pseudonyms, hostile values only as text.

A copy of the demo's workdir gets a few days of hostile input the way a real export carries it: usage
and survey respondents that are names, a full-width-@ email, an "at" email and a login (none of them on
the roster), and a deployment id that is markup, delivered twice so a WARN expectation fails on it.
"""

import json
import shutil
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.pseudonym import pseudonym, read_key
from orchestration.lib.workspace import Workspace
from tests.conftest import DemoRun, run_isolated
from tests.html_page import parsed

HOSTILE_IDENTITIES = (
    "Leila Nakamura",
    "leila.nakamura.1\uff20example.com",
    "leila.nakamura.2 at example.com",
    "ghost-login-lnakamura1",
)
HOSTILE_DEPLOYMENT_ID = '"><img src=x onerror=alert(1)><script>alert(2)</script>'


def _append(path: Path, lines: list[str]) -> None:
    text = path.read_text()
    path.write_text(text + ("" if not text or text.endswith("\n") else "\n") + "\n".join(lines) + "\n")


def _plant_hostile_input(workspace: Workspace, days: list) -> None:
    landing = workspace.landing
    for number, (day, identity) in enumerate(zip(days, HOSTILE_IDENTITIES, strict=True)):
        event = {
            "event_id": f"hostile-{number}",
            "occurred_at": f"{day}T12:00:00Z",
            "identity": identity,
            "tool": "internal_chat",
            "event_type": "interaction",
        }
        _append(landing / "usage" / f"{day}.ndjson", [json.dumps(event, ensure_ascii=False)])
    files = [landing / "deployments" / f"{day}.ndjson" for day in days]
    deployments = next(path for path in files if path.read_text().strip())  # a weekend day has none
    first = json.loads(deployments.read_text().splitlines()[0])
    hostile = first | {"deployment_id": HOSTILE_DEPLOYMENT_ID, "environment": "staging"}
    _append(deployments, [json.dumps(hostile)] * 2)
    (survey,) = sorted((landing / "surveys").glob("*.csv"))
    survey_id = survey.read_text().splitlines()[1].split(",")[1]
    _append(
        survey,
        [
            f"hostile-r{number}-{copy},{survey_id},{identity},,{5 + copy},{days[-1]}T0{copy}:00:00Z"
            for number, identity in enumerate(HOSTILE_IDENTITIES[:2])
            for copy in (1, 2)
        ],
    )


@pytest.fixture(scope="module")
def hostile_run(demo_run: DemoRun, tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, bool]:
    root = tmp_path_factory.mktemp("hostile")
    workspace = Workspace(landing=root / "landing", workdir=root / "work")
    shutil.copytree(demo_run.workspace.landing, workspace.landing)
    # without the GX project: its config holds the original workdir's absolute Data Docs path
    source = demo_run.workspace.workdir
    shutil.copytree(
        source, workspace.workdir, symlinks=True, ignore=lambda folder, _: ["gx"] if Path(folder) == source else []
    )
    days = [demo_run.last - timedelta(days=back) for back in range(len(HOSTILE_IDENTITIES) - 1, -1, -1)]
    _plant_hostile_input(workspace, days)
    return workspace, run_isolated(workspace, days[0], days[-1], full_refresh=False)


def _raw_identities(landing: Path) -> set[str]:
    """Every identity-like value the landing holds (roster, identities, grants, usage, deploys, surveys)."""
    values: set[str] = set()
    with duckdb.connect() as con:
        for pattern, columns in (
            ("roster/*.csv", ("engineer_id", "email", "github_login", "full_name", "manager_email")),
            ("identities/*.csv", ("identity",)),
            ("licences/grants.csv", ("identity",)),
            ("surveys/*.csv", ("respondent",)),
        ):
            for column in columns:
                sql = f"select distinct {column} from read_csv('{landing / pattern}', all_varchar = true)"
                values |= {value for (value,) in con.execute(sql).fetchall() if value}
        for pattern, column in (("usage/*.ndjson", "identity"), ("deployments/*.ndjson", "triggered_by")):
            sql = f"select distinct {column} from read_json('{landing / pattern}', format = 'newline_delimited')"
            values |= {value for (value,) in con.execute(sql).fetchall() if value}
    return {value.lower() for value in values}


def _published_strings(marts: Path) -> set[str]:
    strings: set[str] = set()
    with duckdb.connect(str(marts), read_only=True) as con:
        columns = con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'main' and data_type = 'VARCHAR'"
        ).fetchall()
        for table, column in columns:
            rows = con.execute(f'select distinct "{column}" from main."{table}"').fetchall()
            strings |= {value.lower() for (value,) in rows if value}
    return strings


def test_the_hostile_days_publish(hostile_run):
    _, succeeded = hostile_run
    assert succeeded  # unattributed and stuffed, within tolerance: the run publishes, so the marts are new


def test_no_published_mart_holds_a_raw_identity(hostile_run):
    workspace, _ = hostile_run
    raw = _raw_identities(workspace.landing)
    assert {identity.lower() for identity in HOSTILE_IDENTITIES} <= raw
    leaked = raw & _published_strings(workspace.published / "current" / "marts.duckdb")
    assert not leaked


def test_identities_are_published_as_their_keyed_pseudonym(hostile_run):
    workspace, _ = hostile_run
    key = read_key(workspace.pseudonym_key)
    assert workspace.published not in workspace.pseudonym_key.parents
    with duckdb.connect(str(workspace.published / "current" / "marts.duckdb"), read_only=True) as con:
        shown = set(
            con.execute(
                "select signal_type, entity_id from main.mart_guard_signals "
                "where entity_type in ('identity', 'respondent')"
            ).fetchall()
        )
    for identity in HOSTILE_IDENTITIES:
        assert ("unattributed_identity", f"key:{pseudonym(key, identity.lower())}") in shown
    for identity in HOSTILE_IDENTITIES[:2]:
        assert ("survey_stuffing", f"key:{pseudonym(key, identity.lower())}") in shown


def test_engineer_keys_are_keyed_hashes_of_the_engineer_id(demo_run):
    key = read_key(demo_run.workspace.pseudonym_key)
    landing = demo_run.workspace.landing
    with duckdb.connect() as con:
        engineers = {
            engineer_id
            for (engineer_id,) in con.execute(
                f"select distinct engineer_id from read_csv('{landing}/roster/*.csv', all_varchar = true) "
                "where is_engineer = 'true'"
            ).fetchall()
        }
    marts = demo_run.workspace.published / "current" / "marts.duckdb"
    with duckdb.connect(str(marts), read_only=True) as con:
        published = {
            key for (key,) in con.execute("select distinct engineer_key from main.mart_engineer_weekly").fetchall()
        }
    assert published and published <= {pseudonym(key, engineer_id) for engineer_id in engineers}


def test_the_report_names_no_identity(hostile_run):
    workspace, _ = hostile_run
    text = " ".join(parsed(workspace.published / "report" / "index.html").text).lower()
    assert [identity for identity in HOSTILE_IDENTITIES if identity.lower() in text] == []


def test_a_hostile_deployment_id_is_only_text_in_the_published_data_docs(hostile_run):
    workspace, _ = hostile_run
    pages = sorted((workspace.published / "quality" / "validations").glob("landing__deployments/*/*/*.html"))
    page = parsed(pages[-1])
    assert any(HOSTILE_DEPLOYMENT_ID in text for text in page.text)  # the failing value is shown ...
    assert page.injected("alert(") == []  # ... never as markup
