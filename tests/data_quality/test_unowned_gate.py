"""The unowned-deploys gate judges a week's share with the volume in mind, and skips acknowledged cases."""

from datetime import date, timedelta

import duckdb

from data_quality.drift import unowned_deploy_weeks

MONDAY = date(2026, 3, 2)
TOLERANCE, MIN_COUNT = 0.05, 5


def warehouse(weeks: dict[date, tuple[int, list[tuple[str, int, bool]]]]) -> duckdb.DuckDBPyConnection:
    """Per week: owned production deploys, and unowned ones as (service, production deploys, acknowledged)."""
    con = duckdb.connect()
    con.execute(
        "create table main.fct_deployments (deployment_id varchar, week_start date, is_production_deploy boolean)"
    )
    con.execute(
        "create table main.mart_unowned_deployments (service_id varchar, environment varchar, deployed_date date, "
        "unowned_reason varchar, deploys bigint, production_deploys bigint, is_acknowledged boolean)"
    )
    for week, (owned, unowned) in weeks.items():
        rows = [(f"{week}-owned-{i}", week, True) for i in range(owned)]
        rows += [(f"{week}-failed", week, False)]  # a failed deploy is no production deploy
        for service, count, acknowledged in unowned:
            rows += [(f"{week}-{service}-{i}", week, True) for i in range(count)]
            # spread over two days of the week, plus a staging deploy that is no production deploy
            first = count // 2
            mart_rows = [
                (service, "production", week, first, first, acknowledged),
                (service, "production", week + timedelta(days=3), count - first, count - first, acknowledged),
                (service, "staging", week + timedelta(days=1), 2, 0, acknowledged),
            ]
            con.executemany(
                "insert into main.mart_unowned_deployments values (?, ?, ?, 'no_service_owner', ?, ?, ?)",
                [row for row in mart_rows if row[3] > 0],
            )
        con.executemany("insert into main.fct_deployments values (?, ?, ?)", rows)
    return con


def weeks_of(con: duckdb.DuckDBPyConnection, days: list[date]) -> list[dict]:
    return unowned_deploy_weeks(con, days, TOLERANCE, MIN_COUNT)


def test_an_unowned_service_at_volume_blocks_and_is_named():
    with warehouse({MONDAY: (90, [("acme/checkout", 9, False), ("acme/stray", 1, False)])}) as con:
        [week] = weeks_of(con, [MONDAY + timedelta(days=2)])
    assert week == {
        "week_start": "2026-03-02",
        "unowned_production_deploys": 10,
        "production_deploys": 100,
        "unowned_share": 0.1,
        "blocks": True,
        "services_unowned": 2,
        "services": "acme/checkout (9, no_service_owner), acme/stray (1, no_service_owner)",
    }


def test_below_the_minimum_count_a_large_share_only_warns():
    # 4 of 8 production deploys: half the week, but 4 deploys are too few to block on
    with warehouse({MONDAY: (4, [("acme/new-service", 4, False)])}) as con:
        [week] = weeks_of(con, [MONDAY])
    assert (week["unowned_production_deploys"], week["unowned_share"], week["blocks"]) == (4, 0.5, False)


def test_the_share_must_exceed_the_tolerance():
    with warehouse(
        {MONDAY: (95, [("acme/legacy", 5, False)]), MONDAY + timedelta(days=7): (45, [("acme/x", 5, False)])}
    ) as con:
        at_tolerance, above = weeks_of(con, [MONDAY, MONDAY + timedelta(days=7)])
    assert (at_tolerance["unowned_share"], at_tolerance["blocks"]) == (0.05, False)
    assert (above["unowned_share"], above["blocks"]) == (0.1, True)


def test_acknowledged_services_do_not_count():
    weeks = {MONDAY: (40, [("acme/sandbox", 30, True), ("acme/tool", 2, False)])}
    with warehouse(weeks) as con:
        [week] = weeks_of(con, [MONDAY])
    assert (week["unowned_production_deploys"], week["services"]) == (2, "acme/tool (2, no_service_owner)")
    assert week["production_deploys"] == 72 and not week["blocks"]
    with warehouse({MONDAY: (40, [("acme/sandbox", 30, True)])}) as con:
        assert weeks_of(con, [MONDAY]) == []


def test_only_the_weeks_of_the_run_are_judged():
    later = MONDAY + timedelta(days=14)
    with warehouse({MONDAY: (10, [("acme/old", 20, False)]), later: (10, [])}) as con:
        assert weeks_of(con, [later, later + timedelta(days=1)]) == []
        assert [week["week_start"] for week in weeks_of(con, [MONDAY + timedelta(days=6)])] == ["2026-03-02"]
