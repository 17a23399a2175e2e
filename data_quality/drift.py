"""Set-based gates, in SQL over the lake and the warehouse: rules over whole sets of rows, which a per-row
expectation cannot express.

Each function returns the violating rows as dicts (empty = the gate holds), for the asset checks to
report with the gate's name and sample rows.
"""

import math
from collections.abc import Callable
from datetime import date, timedelta

import duckdb
from scipy.stats import binom

from orchestration.lib import lake, lake_fs
from orchestration.lib.lake_fs import LakePath


def quarantine_over_tolerance(
    lake_root: LakePath, entity: str, days: list[date | None], tolerance: float, false_alarm_rate: float
) -> list[dict]:
    """Partitions whose quarantined records are more than the tolerance explains (`quarantine_chance`).
    Records excluded by definition are not counted: they were read fine."""
    violations = []
    for day in days:
        stats = lake.read_stats(lake_root, entity, day)
        if not stats:
            continue
        readable, quarantined = stats["records_read"] - stats.get("excluded", 0), stats["quarantined"]
        chance = quarantine_chance(quarantined, readable, tolerance)
        if chance is not None and chance < false_alarm_rate:
            violations.append(
                {
                    "day": day.isoformat() if day else lake.SNAPSHOT,
                    **stats,
                    "quarantined_share": round(quarantined / readable, 4),
                    "chance_at_tolerance": float(f"{chance:.3g}"),
                }
            )
    return violations


def quarantine_chance(quarantined: int, readable: int, tolerance: float) -> float | None:
    """How likely this many quarantined records would be if records were broken at the tolerated rate;
    None when the share is within the tolerance.

    A share is weak evidence on a small day (1 bad record of 40 is 2.5%) and strong on a large one, so the
    gate is a one-sided binomial test: it blocks when the share is above the tolerance and this chance is
    below gate_false_alarm_rate. An organisation whose records really break at most at the tolerated rate
    is therefore blocked on at most that share of its days (measured: 6 of 100,000 such honest days).
    """
    if not readable or quarantined / readable <= tolerance:
        return None
    return float(binom.sf(quarantined - 1, readable, tolerance))


# ---- silent sources --------------------------------------------------------------------------------
# A source is silent on a day when it has no record of it. Whether that is alarming depends on what the
# source normally delivers on that weekday: a tool used by two engineers is often silent on a Sunday, a
# tool used by five hundred never is. Daily counts are treated as Poisson: with an expected count of L,
# zero has probability exp(-L). The expectation is the mean of the same weekday over the 4 weeks before
# (at least 2 of them in the lake), or, without that history, the smallest count of the 7 days before
# when all 7 are in the lake. Days the lake has no delivery for (no file) are not history. Measured on 3,000
# drawn honest organisations: 2 blocks in 94,927 judged tool-days and deploy-days (2.1e-5, against a stated
# gate_false_alarm_rate of 0.001), both a tool of about ten users genuinely idle for a day.

HISTORY_WEEKS = 4


def expected_count(counts: dict[date, int], day: date) -> tuple[float, list[int]] | None:
    """The count a source is expected to deliver on `day`, and the history it rests on (None: too little)."""
    same_weekday = [
        counts[past] for week in range(1, HISTORY_WEEKS + 1) if (past := day - timedelta(weeks=week)) in counts
    ]
    if len(same_weekday) >= 2:
        return sum(same_weekday) / len(same_weekday), same_weekday
    previous_week = [counts.get(day - timedelta(days=offset)) for offset in range(1, 8)]
    if all(count is not None for count in previous_week):
        return float(min(previous_week)), previous_week
    return None


def silence_severity(expected: float, excused: bool, false_alarm_rate: float, warn_rate: float) -> str | None:
    """ERROR when zero is implausible and nothing excuses it; WARN when merely unusual; else None."""
    chance = math.exp(-expected)
    if chance < false_alarm_rate and not excused:
        return "ERROR"
    if chance < warn_rate:
        return "WARN"
    return None


def _history_days(days: list[date]) -> list[date]:
    first, last = min(days) - timedelta(weeks=HISTORY_WEEKS), max(days)
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def _delivered_days(lake_root: LakePath, entity: str, days: list[date]) -> set[date]:
    """Days some landing file covers: ingest writes a partition (and its stats) only for those, an empty
    generic file included, and removes it for a day nothing covers."""
    return {day for day in days if lake.read_stats(lake_root, entity, day) is not None}


def _daily_counts(lake_root: LakePath, entity: str, days: list[date], count_sql: str, by_tool: bool) -> list[tuple]:
    files = [
        str(path)
        for day in days
        if (path := lake_root / "raw" / entity / lake.partition_name(day) / "data.parquet").exists()
    ]
    if not files:
        return []
    group = "tool, " if by_tool else ""
    with lake_fs.connect(lake_root) as con:
        return con.execute(
            f"select {group}cast(day as date) as day, {count_sql} "
            f"from read_parquet(?, hive_partitioning = true) group by all",
            [files],
        ).fetchall()


def _silence_row(day: date, severity: str, expected: float, history: list[int], **subject) -> dict:
    return {
        "day": day.isoformat(),
        **subject,
        "severity": severity,
        "expected": round(expected, 2),
        "history": history,
        "chance_of_zero": float(f"{math.exp(-expected):.3g}"),
    }


def _silences(
    counts: dict[date, int],
    days: list[date],
    excuse_of: Callable[[date], str | None],
    false_alarm_rate: float,
    warn_rate: float,
    **subject,
) -> list[dict]:
    """The days of `days` a source is silent on, graded by how implausible zero is for its volume."""
    rows = []
    for day in days:
        if counts.get(day):
            continue
        judged = expected_count(counts, day)
        if judged is None:
            continue
        excuse = excuse_of(day)
        severity = silence_severity(judged[0], excuse is not None, false_alarm_rate, warn_rate)
        if severity:
            rows.append(_silence_row(day, severity, *judged, **subject, excuse=excuse))
    return rows


def feed_silences(
    counts: dict[date, int],
    delivered: set[date],
    days: list[date],
    false_alarm_rate: float,
    warn_rate: float,
    awaited: frozenset[date] = frozenset(),
) -> list[dict]:
    """The rule of `silent_feed_days` on daily counts (days absent from `counts` had no delivery)."""

    def excuse_of(day: date) -> str | None:
        return "delivered empty" if day in delivered else "not exported yet" if day in awaited else None

    return _silences(counts, days, excuse_of, false_alarm_rate, warn_rate)


def tool_silences(
    per_tool: dict[str, dict[date, int]],
    delivered: set[date],
    days: list[date],
    false_alarm_rate: float,
    warn_rate: float,
    awaited: frozenset[date] = frozenset(),
) -> list[dict]:
    """The rule of `silent_tools` on daily counts of distinct identities per tool."""
    busy_days = {day for counts in per_tool.values() for day, count in counts.items() if count}

    def excuse_of(day: date) -> str | None:
        if day in delivered and day not in busy_days:
            return "every tool silent on a delivered day"
        return "not exported yet" if day in awaited else None

    rows = []
    for tool, observed in sorted(per_tool.items()):
        counts = dict.fromkeys(delivered, 0) | observed
        rows += _silences(counts, days, excuse_of, false_alarm_rate, warn_rate, tool=tool)
    return sorted(rows, key=lambda row: (row["day"], row["tool"]))


# Exports land some hours after the day they report, so the days just after the last one any vendor
# export reports may simply not be exported yet; beyond this many days, a missing export is missing.
EXPORT_LAG_DAYS = 3


def awaited_days(last_reported: date | None, days: list[date], delivered: set[date]) -> frozenset[date]:
    """Days after the last day vendor exports report, within EXPORT_LAG_DAYS, that no file covers."""
    if last_reported is None:
        return frozenset()
    return frozenset(
        day
        for day in days
        if last_reported < day <= last_reported + timedelta(days=EXPORT_LAG_DAYS) and day not in delivered
    )


def _awaited_days(lake_root: LakePath, entity: str, days: list[date], delivered: set[date]) -> frozenset[date]:
    reported = [day for entry in lake.read_manifest(lake_root, entity).values() for day in entry["days"]]
    return awaited_days(date.fromisoformat(max(reported)) if reported else None, days, delivered)


def silent_feed_days(
    lake: LakePath, entity: str, days: list[date], false_alarm_rate: float, warn_rate: float
) -> list[dict]:
    """Days of the run without records of a daily feed (deployments, merged or closed pull requests), graded
    by how implausible zero is for that weekday.

    A day some landing file covers (a generic empty file, or a day inside the span a vendor export
    reports: webhooks and REST pages have no empty file) is an explicit zero, and a day just after the
    last one the vendor exports report may not be exported yet: either is at most a WARN. Any other day
    without records blocks when its weekday's volume makes zero implausible: the file is missing. A feed
    the organisation never delivered has no volume, so its absence is never a silence.
    """
    history_days = _history_days(days)
    delivered = _delivered_days(lake, entity, history_days)
    counts = dict.fromkeys(delivered, 0) | dict(_daily_counts(lake, entity, history_days, "count(*)", by_tool=False))
    awaited = _awaited_days(lake, entity, days, delivered)
    return feed_silences(counts, delivered, days, false_alarm_rate, warn_rate, awaited)


def silent_tools(lake_root: LakePath, days: list[date], false_alarm_rate: float, warn_rate: float) -> list[dict]:
    """Tools without usage on a day of the run, graded by how implausible zero is for that weekday.

    The volume is the tool's distinct identities a day. A tool silent while others have usage that day has
    a missing or broken feed when its volume makes zero implausible; a day every tool is silent although
    landing files cover it (empty generic files, a holiday inside a vendor export), or that vendor exports
    may not have reached yet, is at most a WARN.
    """
    history_days = _history_days(days)
    per_tool: dict[str, dict[date, int]] = {}
    for tool, day, count in _daily_counts(
        lake_root, "tool_activity", history_days, "count(distinct lower(identity))", by_tool=True
    ):
        per_tool.setdefault(tool, {})[day] = count
    delivered = _delivered_days(lake_root, "tool_activity", history_days)
    awaited = _awaited_days(lake_root, "tool_activity", days, delivered)
    return tool_silences(per_tool, delivered, days, false_alarm_rate, warn_rate, awaited)


def unattributed_over_tolerance(con: duckdb.DuckDBPyConnection, days: list[date], tolerance: float) -> list[dict]:
    """Days whose activity from identities not on the roster (unacknowledged) exceeds tolerance."""
    return query_rows(
        con,
        """
        with acknowledgements as (
            select entity_id, period_start from staging.stg_reference__guard_acknowledgements
            where signal_type = 'unattributed_identity'
        ),
        first_seen as (
            -- an acknowledgement with a period matches the identity's first unattributed day, as in the signal
            select identity, min(activity_date) as first_day
            from intermediate.int_tool_activity_attributed
            where attribution_status = 'unresolved_identity'
                and identity in (select entity_id from acknowledgements)
            group by identity
        ),
        acknowledged as (
            select first_seen.identity as entity_id
            from first_seen
            inner join acknowledgements
                on first_seen.identity = acknowledgements.entity_id
                and (acknowledgements.period_start is null or acknowledgements.period_start = first_seen.first_day)
        ),
        daily as (
            select
                activity_date,
                sum(activity_count) as activity,
                sum(case when attribution_status in ('unresolved_identity', 'not_on_roster_that_day')
                    and identity not in (select entity_id from acknowledged)
                    then activity_count else 0 end) as unattributed
            from intermediate.int_tool_activity_attributed
            where activity_date between ? and ?
            group by activity_date
        )
        select cast(activity_date as varchar) as day, unattributed, activity,
            round(unattributed / activity, 4) as unattributed_share
        from daily
        where activity > 0 and unattributed / activity > ?
        order by day
        """,
        [min(days), max(days), tolerance],
    )


def unowned_deploy_weeks(
    con: duckdb.DuckDBPyConnection, days: list[date], tolerance: float, min_count: float
) -> list[dict]:
    """ISO weeks of the run with unacknowledged production deploys that no team owns, each with `blocks`.

    A week blocks when its unowned production deploys exceed `tolerance` of all its production deploys
    across the organisation and number at least `min_count`: a share of a handful of deploys is weak
    evidence (one stray deploy in a quiet week of a small organisation is already 5%), so below the
    count it only warns. The week, not the day, because the deploy metrics are weekly and a weekend
    day's few deploys would make any share jump. `services` names the week's ten services with the most
    unowned production deploys, as `service (deploys, reason)`.
    """
    return query_rows(
        con,
        """
        with weeks as (
            select week_start, count(*) as production_deploys
            from main.fct_deployments
            where is_production_deploy and week_start between date_trunc('week', cast(? as date)) and ?
            group by week_start
        ),
        unowned_services as (
            select
                cast(date_trunc('week', deployed_date) as date) as week_start,
                service_id,
                min(unowned_reason) as unowned_reason,
                sum(production_deploys) as unowned
            from main.mart_unowned_deployments
            where not is_acknowledged and production_deploys > 0
                and date_trunc('week', deployed_date) between date_trunc('week', cast(? as date)) and ?
            group by all
        ),
        ranked as (
            select *, row_number() over (partition by week_start order by unowned desc, service_id) as service_rank
            from unowned_services
        ),
        unowned_weeks as (
            select
                week_start,
                sum(unowned) as unowned,
                count(*) as services_unowned,
                string_agg(
                    case when service_rank <= 10
                        then service_id || ' (' || unowned || ', ' || unowned_reason || ')' end,
                    ', ' order by service_rank
                ) as services
            from ranked
            group by week_start
        )
        select
            cast(weeks.week_start as varchar) as week_start,
            unowned_weeks.unowned as unowned_production_deploys,
            weeks.production_deploys,
            round(unowned_weeks.unowned / weeks.production_deploys, 4) as unowned_share,
            unowned_weeks.unowned >= ? and unowned_weeks.unowned > ? * weeks.production_deploys as blocks,
            unowned_weeks.services_unowned,
            unowned_weeks.services
        from unowned_weeks
        inner join weeks on unowned_weeks.week_start = weeks.week_start
        order by weeks.week_start
        """,
        [min(days), max(days), min(days), max(days), min_count, tolerance],
    )


def org_headline_jumps(con: duckdb.DuckDBPyConnection, days: list[date], false_alarm_rate: float) -> list[dict]:
    """Org-weeks whose deploys per engineer moved 10x or more against the full week before, beyond chance.

    A small org's weekly deploys are small counts: 1 deploy one week and 10 the next is a 10x move two
    engineers make honestly. So a move blocks only when it is also implausible as chance
    (`jump_chance` below gate_false_alarm_rate), as a duplicated or broken feed is.
    """
    rows = query_rows(
        con,
        """
        with complete_weeks as (
            -- a partial week (the data ends on a Monday, say) would look like a 7x drop: compare full weeks
            select week_start from main.dim_dates where is_in_data group by week_start having count(*) = 7
        ),
        weeks as (
            select org, week_start, deploys_per_engineer, headcount,
                lag(deploys_per_engineer) over (partition by org order by week_start) as previous,
                lag(headcount) over (partition by org order by week_start) as previous_headcount
            from main.mart_org_weekly
            where week_start in (select week_start from complete_weeks)
        )
        select org, cast(week_start as varchar) as week_start, previous, deploys_per_engineer,
            previous_headcount, headcount
        from weeks
        where week_start between date_trunc('week', cast(? as date)) and ?
            and previous > 0 and deploys_per_engineer > 0
            and (deploys_per_engineer / previous >= 10 or previous / deploys_per_engineer >= 10)
        order by org, week_start
        """,
        [min(days), max(days)],
    )
    jumps = []
    for row in rows:
        chance = jump_chance(
            round(row["previous"] * row["previous_headcount"]),
            row["previous_headcount"],
            round(row["deploys_per_engineer"] * row["headcount"]),
            row["headcount"],
        )
        if chance < false_alarm_rate:
            jumps.append({**row, "chance_at_same_rate": float(f"{chance:.3g}")})
    return jumps


def jump_chance(before: int, before_headcount: int, after: int, after_headcount: int) -> float:
    """How likely a split of before + after deploys this lopsided is if both weeks had the same rate per
    engineer: the conditional binomial test of two Poisson counts (two-sided, by doubling the smaller tail)."""
    total = before + after
    share = after_headcount / (before_headcount + after_headcount)
    tail = min(binom.cdf(after, total, share), binom.sf(after - 1, total, share))
    return float(min(1.0, 2 * tail))


def incomplete_team_weeks(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Teams with headcount in some week but no mart_team_weekly row for a week of the data."""
    return query_rows(
        con,
        """
        with staffed as (select distinct team_id from main.mart_team_weekly where headcount > 0),
        weeks as (select distinct week_start from main.dim_dates),
        expected as (select team_id, week_start from staffed cross join weeks)
        select expected.team_id, cast(expected.week_start as varchar) as week_start
        from expected
        left join main.mart_team_weekly as mart using (team_id, week_start)
        where mart.team_id is null
        order by 1, 2
        """,
        [],
    )


def query_rows(con: duckdb.DuckDBPyConnection, sql: str, parameters: list) -> list[dict]:
    """The rows of a query as dicts by column name (the SQL gates report violations this way)."""
    relation = con.execute(sql, parameters)
    names = [column[0] for column in relation.description]
    return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]
