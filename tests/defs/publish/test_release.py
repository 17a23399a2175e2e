"""A release holds what BI needs: the metric marts and the dimensions to name and group their rows by,
each through its publication contract."""

import json

import duckdb

from orchestration.defs.quality.checks import PUBLISHED, PUBLISHED_DIMENSIONS


def test_a_release_publishes_the_dimensions_bi_joins_the_marts_to(demo_run):
    assert demo_run.succeeded
    current = demo_run.workspace.published / "current"
    manifest = json.loads((current / "manifest.json").read_text())
    assert set(manifest["row_counts"]) == set(PUBLISHED)
    assert all((current / "parquet" / f"{name}.parquet").is_file() for name in PUBLISHED)
    contracts = {
        check["asset"]: check["passed"] for check in manifest["checks"] if check["check"] == "publication_contract"
    }
    assert all(contracts[f"warehouse/{dimension}"] for dimension in PUBLISHED_DIMENSIONS)

    with duckdb.connect(str(current / "marts.duckdb"), read_only=True) as con:
        [(teams_without_name,)] = con.execute(
            "select count(*) from mart_team_weekly left join dim_teams using (team_id) where dim_teams.team_id is null"
        ).fetchall()
        [(tools_unknown,)] = con.execute(
            "select count(*) from mart_tool_monthly left join dim_tools using (tool) where dim_tools.tool is null"
        ).fetchall()
        [(weeks_off_calendar,)] = con.execute(
            "select count(*) from mart_org_weekly where week_start not in (select week_start from dim_dates)"
        ).fetchall()
        org_names = {org for (org,) in con.execute("select distinct org from mart_org_weekly").fetchall()}
        dimension_orgs = {org for (org,) in con.execute("select distinct org from dim_teams").fetchall()}
    assert teams_without_name == tools_unknown == weeks_off_calendar == 0
    assert org_names <= dimension_orgs
