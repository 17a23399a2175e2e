"""The engine's floor: plain DuckDB SQL over the landing files, no orchestration; and the ingest probe,
`generic.parse_usage_events` alone on one day (ingest's core cost)."""

import json
import shutil
import sys
from datetime import date
from pathlib import Path

from orchestration.lib.workspace import SEEDS_DIR
from orchestration.tools.bench.measure import child_env, measure

REFERENCE_SQL = """
set TimeZone = 'UTC';
create table environments as select * from read_csv('{seeds}/environments.csv', header = true);
create table activity_types as select * from read_csv('{seeds}/activity_types.csv', header = true);
create table roster as
    select *, cast(regexp_extract(filename, '(\\d{{4}}-\\d{{2}}-\\d{{2}})', 1) as date) as snapshot_date
    from read_csv('{landing}/roster/*.csv', header = true, filename = true, all_varchar = true);
create table services as
    select service, team_id, cast(valid_from as date) as valid_from, cast(nullif(valid_to, '') as date) as valid_to
    from read_csv('{landing}/services/*.csv', header = true, all_varchar = true);
create table identities as
    select * from read_csv('{landing}/identities/*.csv', header = true, all_varchar = true);

-- identity -> engineer: roster emails and GitHub logins, and identities.csv (vendor ids, aliases)
create table identity_map as
    select distinct identity, engineer_id from (
        select lower(email) as identity, engineer_id from roster
        union all select lower(github_login), engineer_id from roster where coalesce(github_login, '') <> ''
        union all select lower(identity), engineer_id from identities
    )
    qualify row_number() over (partition by identity order by engineer_id) = 1;

-- weekly production deployments per engineer and team: successful production deploys, one per
-- service x environment x commit, owned by the service's team that day, over the team's engineers on
-- the roster snapshot in force on the week's Monday
create table weekly_production_deployments as
with deployments as (
    select * from read_json(
        '{landing}/deployments/*.ndjson', format = 'newline_delimited',
        columns = {{deployment_id: 'VARCHAR', service: 'VARCHAR', environment: 'VARCHAR', commit_sha: 'VARCHAR',
                   status: 'VARCHAR', deployed_at: 'TIMESTAMPTZ', triggered_by: 'VARCHAR', lines_changed: 'BIGINT',
                   rollback_of: 'VARCHAR'}})
),
production as (
    select service, environment, commit_sha, min(deployed_at) as deployed_at
    from deployments
    where status = 'success' and environment in (select environment from environments where is_production)
    group by all
),
owned as (
    select services.team_id, cast(date_trunc('week', production.deployed_at) as date) as week_start
    from production
    inner join services
        on production.service = services.service
        and cast(production.deployed_at as date) >= services.valid_from
        and (services.valid_to is null or cast(production.deployed_at as date) < services.valid_to)
),
weekly as (
    select team_id, week_start, count(*) as production_deploys from owned group by all
),
headcount as (
    select team_id, snapshot_date, count(*) filter (where is_engineer = 'true') as engineers
    from roster group by all
)
select weekly.team_id, weekly.week_start, weekly.production_deploys, headcount.engineers,
    weekly.production_deploys / nullif(headcount.engineers, 0) as production_deploys_per_engineer
from weekly
asof left join headcount
    on weekly.team_id = headcount.team_id and weekly.week_start >= headcount.snapshot_date;

-- monthly active users per tool: distinct engineers with an active-type event in the month
create table monthly_active_users as
with events as (
    select * from read_json(
        '{landing}/usage/*.ndjson', format = 'newline_delimited',
        columns = {{event_id: 'VARCHAR', occurred_at: 'TIMESTAMPTZ', identity: 'VARCHAR', tool: 'VARCHAR',
                   event_type: 'VARCHAR', quantity: 'BIGINT'}})
)
select events.tool, cast(date_trunc('month', events.occurred_at) as date) as month_start,
    count(distinct identity_map.engineer_id) as monthly_active_users,
    count(*) as active_events
from events
inner join identity_map on lower(events.identity) = identity_map.identity
where events.event_type in (select activity_type from activity_types where is_active)
group by all;
"""


def reference_run(workdir: Path, landing: Path) -> dict:
    folder = workdir / "reference"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    sql = REFERENCE_SQL.format(landing=landing.as_posix(), seeds=SEEDS_DIR.as_posix())
    (folder / "reference.sql").write_text(sql)
    code = (
        "import json, sys, duckdb\n"
        f"con = duckdb.connect({str(folder / 'reference.duckdb')!r})\n"
        f"con.execute(\"set temp_directory = '{(folder / 'tmp').as_posix()}'\")\n"
        f"con.execute(open({str(folder / 'reference.sql')!r}).read())\n"
        "rows = {name: con.execute(f'select count(*) from {name}').fetchall()[0][0]\n"
        "        for name in ('weekly_production_deployments', 'monthly_active_users')}\n"
        "mau = con.execute('select tool, month_start, monthly_active_users from monthly_active_users "
        "order by all').fetchall()\n"
        f"open({str(folder / 'rows.json')!r}, 'w').write(json.dumps({{'rows': rows, 'monthly_active_users': "
        "[[tool, str(month), users] for tool, month, users in mau]}))\n"
    )
    print("bench: reference (plain DuckDB over the landing files)", flush=True)
    measured = measure("reference", [sys.executable, "-c", code], folder / "run.log", child_env())
    figures = measured.figures()
    if (folder / "rows.json").exists():
        figures.update(json.loads((folder / "rows.json").read_text()))
    print(f"bench: reference: {figures['wall_seconds']:.1f} s, peak {figures['peak_rss_gib']:.2f} GiB", flush=True)
    return figures


def ingest_probe(workdir: Path, landing: Path, day: date) -> dict:
    folder = workdir / "ingest_probe"
    folder.mkdir(parents=True, exist_ok=True)
    code = (
        "import json, time\n"
        "from datetime import date\n"
        "from pathlib import Path\n"
        "from orchestration.defs.ingest.connectors import generic\n"
        "from orchestration.lib import reference\n"
        f"landing, day = Path({str(landing)!r}), date.fromisoformat({day.isoformat()!r})\n"
        "files = sorted((landing / 'usage').glob(f'{day.isoformat()}*.ndjson'))\n"
        "start = time.perf_counter()\n"
        "data = [(f'usage/{path.name}', path.read_bytes()) for path in files]\n"
        "read = time.perf_counter()\n"
        "usage = generic.parse_usage_events(data, day, reference.load_catalogue(landing))\n"
        "parsed = time.perf_counter()\n"
        f"open({str(folder / 'probe.json')!r}, 'w').write(json.dumps({{'day': day.isoformat(), "
        "'bytes': sum(len(blob) for _, blob in data), 'events': usage.records_read, "
        "'rows_out': usage.activity.num_rows, 'rejects': len(usage.rejects), "
        "'read_seconds': round(read - start, 3), 'parse_seconds': round(parsed - read, 3)}))\n"
    )
    print(f"bench: ingest probe: generic.parse_usage_events on {day}", flush=True)
    measured = measure("ingest_probe", [sys.executable, "-c", code], folder / "run.log", child_env())
    figures = measured.figures()
    if (folder / "probe.json").exists():
        figures.update(json.loads((folder / "probe.json").read_text()))
    print(
        f"bench: ingest probe: parse {figures.get('parse_seconds')} s for {figures.get('events')} events, "
        f"peak {figures['peak_rss_gib']:.2f} GiB",
        flush=True,
    )
    return figures
