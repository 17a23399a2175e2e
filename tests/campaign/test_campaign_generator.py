"""The campaign's organisation generator keeps the promises the whole-pipeline campaign relies on.

An organisation the generator calls honest must be one the pipeline should publish: every team a record
names exists, every identity resolves (or is a contractor's, within the unattributed share), nobody looks
like a bot, no service-day looks like deploy spam, no org's headline moves tenfold, nobody's week of pull
requests looks like splitting and no AI mark comes from an engineer without AI tool activity that week. These
run without the pipeline: 300 drawn organisations checked on their spec, a few dozen written out and read back
with the generic contract's own parsers and the metrics oracle.
"""

import csv
import json
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from orchestration.defs.ingest.connectors import generic
from orchestration.lib import reference
from tests.campaign.organisations import (
    HONEST_OVERRIDES,
    SEED_BASELINE,
    organisation,
    organisations,
    write_landing,
)
from tests.campaign.pull_requests import expand_pull_requests
from tests.campaign.records import expand
from tests.campaign.spec import LICENSED_TOOLS, TOOL_ACTIVITY, VALUE_DERIVING, OrgSpec
from tests.metrics_oracle import Landing, deploy_facts, expected_marts, week_start
from tests.pull_request_oracle import PullRequestMetrics, attribution_rules, fires

FAST = settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
WRITTEN = settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


def test_a_seed_always_gives_the_same_organisation():
    assert organisation(7) == organisation(7)
    assert expand(organisation(7)) == expand(organisation(7))
    spec = organisation(0)
    assert spec.pull_requests is not None
    assert expand_pull_requests(spec, expand(spec)) == expand_pull_requests(organisation(0), expand(organisation(0)))
    assert organisation(7) != organisation(8)


def _owners_on(spec: OrgSpec, service: str, day: date) -> list[str]:
    return [owner.team_id for owner in spec.ownerships if owner.service == service and owner.covers(day)]


@FAST
@given(spec=organisations(max_teams=300))
def test_every_reference_in_a_drawn_organisation_resolves(spec: OrgSpec):
    assert date(2025, 1, 1) <= spec.first <= spec.last < date.today()
    seed_weeks = {week for week in map(week_start, spec.days) if SEED_BASELINE[0] <= week <= SEED_BASELINE[1]}
    assert spec.baseline or not seed_weeks or spec.first <= SEED_BASELINE[0] and spec.last >= SEED_BASELINE[1], (
        "the window covers all of the shipped baseline's weeks or none"
    )
    assert list(spec.snapshot_days) == sorted(set(spec.snapshot_days))
    for person in spec.people:
        assert len(person.teams) == len(spec.snapshot_days)
        assert {team for team in person.teams if team} <= spec.team_ids, f"{person.engineer_id} on an unknown team"
        assert person.email.isascii() and (person.github_login or "").isascii()
    periods = defaultdict(list)
    for owner in spec.ownerships:
        periods[owner.service].append((owner.valid_from, owner.valid_to or date.max))
    for service, owned in periods.items():
        owned.sort()
        assert all(end <= start for (_, end), (start, _) in zip(owned, owned[1:], strict=False)), f"{service} overlaps"
    assert {owner.team_id for owner in spec.ownerships} <= spec.team_ids
    identities = Counter(
        identity.lower() for person in spec.people for identity in (person.email, person.github_login) if identity
    )
    identities.update(alias.identity.lower() for alias in spec.aliases)
    assert not [identity for identity, count in identities.items() if count > 1], "an identity names two people"
    for habit in spec.habits:
        resolved = spec.identities.get(habit.identity.lower())
        assert resolved == habit.engineer_id, f"{habit.identity} resolves to {resolved}, not {habit.engineer_id}"
        assert habit.tool in spec.tools
    for grant in spec.grants:
        assert grant.tool in LICENSED_TOOLS and spec.identities.get(grant.identity.lower())
        assert grant.revoked_at is None or grant.revoked_at > grant.granted_at
    weeks = Counter(week_start(day) for day in spec.holidays)
    assert all(day in spec.days and day.weekday() < 5 for day in spec.holidays) and max(weeks.values(), default=0) <= 1
    assert all(value in HONEST_OVERRIDES[name] for name, value in spec.metric_var_overrides.items())
    assert all(day in spec.days for survey in spec.surveys for day in survey.days)


def _parse_all(landing: Path, spec: OrgSpec) -> dict[str, int]:
    """Every file through the generic contract's parsers: records read and rejected per entity."""
    catalogue = reference.load_catalogue(landing)
    read, rejected = Counter(), Counter()

    def count(entity: str, parsed) -> None:
        read[entity] += parsed.records_read
        rejected[entity] += len(parsed.rejects)

    for path in sorted((landing / "roster").glob("*.csv")):
        count("roster", generic.parse_roster(path.read_bytes(), path.name, date.fromisoformat(path.stem[7:])))
    count("teams", generic.parse_teams((landing / "teams" / "teams.csv").read_bytes(), "teams.csv"))
    count("services", generic.parse_services((landing / "services" / "services.csv").read_bytes(), "services.csv"))
    grants = (landing / "licences" / "grants.csv").read_bytes()
    count("licence_grants", generic.parse_licence_grants(grants, "grants.csv", catalogue))
    if (landing / "identities" / "identities.csv").exists():
        count("identities", generic.parse_identities((landing / "identities" / "identities.csv").read_bytes(), "i"))
    for path in sorted((landing / "surveys").glob("*.csv")):
        count("survey_responses", generic.parse_survey_responses(path.read_bytes(), path.name))
    for day in spec.days:
        path = landing / "deployments" / f"{day.isoformat()}.ndjson"
        count("deployments", generic.parse_deployments(path.read_bytes(), path.name, day))
    for path in sorted((landing / "pull_requests").glob("*.ndjson")):
        day = date.fromisoformat(path.name[:10])
        count("pull_requests", generic.parse_pull_requests(path.read_bytes(), path.name, day))
    busiest = max(spec.days, key=lambda day: (landing / "usage" / f"{day.isoformat()}.ndjson").stat().st_size)
    path = landing / "usage" / f"{busiest.isoformat()}.ndjson"
    usage = generic.parse_usage_events([(path.name, path)], busiest, catalogue)
    read["tool_activity"] += usage.records_read
    rejected["tool_activity"] += len(usage.rejects)
    assert not +rejected, f"records the generic contract rejects: {dict(rejected)}"
    return dict(read)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _check_usage(spec: OrgSpec, usage: dict[date, list[dict]]) -> None:
    people = spec.people_by_id
    per_minute: Counter = Counter()
    for day, events in usage.items():
        assert day in spec.days and day not in spec.holidays
        total = unattributed = 0
        for event in events:
            moment = _utc(event["occurred_at"])
            assert moment.date() == day, f"{event['event_id']} is in the file of {day}"
            assert event["event_type"] in TOOL_ACTIVITY[event["tool"]]
            quantity = event.get("quantity", 1)
            total += quantity
            engineer_id = spec.identities.get(event["identity"].lower())
            if engineer_id is None:
                unattributed += quantity
            else:
                assert spec.team_of(people[engineer_id], day), f"{event['identity']} used a tool off the roster"
            if event["event_type"] in VALUE_DERIVING:
                per_minute[(event["identity"].lower(), moment.replace(second=0, microsecond=0))] += 1
        assert unattributed <= spec.contractor_share * total, f"{day}: {unattributed} of {total} unattributed"
    assert max(per_minute.values(), default=0) <= 3, "a person's value events in one minute look like a bot's"


def _check_deployments(spec: OrgSpec, deployments: dict[date, list[dict]]) -> None:
    ids = {deploy["deployment_id"] for deploys in deployments.values() for deploy in deploys}
    for day, deploys in deployments.items():
        assert day in spec.days and day not in spec.holidays
        for deploy in deploys:
            assert _utc(deploy["deployed_at"]).date() == day
            assert len(_owners_on(spec, deploy["service"], day)) == 1, f"{deploy['service']} unowned on {day}"
            assert deploy.get("rollback_of", deploy["deployment_id"]) in ids


def _check_no_gate_would_fire(landing: Path, spec: OrgSpec) -> None:
    data = Landing(landing, first=spec.first, last=spec.last)
    assert not [fact for fact in deploy_facts(data) if fact.is_flagged], "an honest deploy looks like spam"
    complete = {week for week in data.weeks if week >= spec.first and week + timedelta(days=6) <= spec.last}
    by_org = defaultdict(list)
    for row in expected_marts(landing, first=spec.first, last=spec.last)["mart_org_weekly"]:
        if row["week_start"] in complete:
            by_org[row["org"]].append(row)
    for org, rows in by_org.items():
        for before, after in zip(rows, rows[1:], strict=False):
            old, new = before["deploys_per_engineer"], after["deploys_per_engineer"]
            if old and new and after["week_start"] - before["week_start"] == timedelta(days=7):
                assert max(old / new, new / old) < 10, f"{org}'s deploys per engineer jumps {old} -> {new}"


def _check_pull_requests(landing: Path, spec: OrgSpec) -> None:
    """No pr_splitting, no attribution_without_usage, nothing on a holiday, a file for every day of the feed."""
    folder = landing / "pull_requests"
    if spec.pull_requests is None:
        assert not folder.exists(), "an organisation without the feed writes no pull_requests/"
        return
    assert {path.name for path in folder.glob("????-??-??.ndjson")} == {f"{day}.ndjson" for day in spec.days}
    assert not [day for day in spec.holidays if (folder / f"{day}.ndjson").stat().st_size]
    data = Landing(landing, first=spec.first, last=spec.last)
    metrics = PullRequestMetrics(data, deploy_facts(data))
    assert not [facts.pull_request.pr_id for facts in metrics.pull_requests if facts.is_split_flagged]
    active = {(activity.engineer_id, week_start(activity.day)) for activity in data.activity}
    claims = [rule for rule in attribution_rules(data) if rule.is_strong and rule.kind in ("trailer", "author")]
    for facts in metrics.pull_requests:
        engineer_id = data.resolve(facts.pull_request.author)
        if engineer_id and any(fires(rule, facts.pull_request) for rule in claims):
            assert (engineer_id, facts.week) in active, f"{facts.pull_request.pr_id}: AI mark without AI tool use"


@WRITTEN
@given(spec=organisations(max_teams=6))
def test_a_written_organisation_is_honest_and_parses_cleanly(spec: OrgSpec, tmp_path_factory):
    landing = write_landing(spec, tmp_path_factory.mktemp("org") / "landing")
    read = _parse_all(landing, spec)
    assert read["roster"] and read["teams"] and read["services"]
    records = expand(spec)
    _check_usage(spec, records.usage)
    _check_deployments(spec, records.deployments)
    _check_no_gate_would_fire(landing, spec)
    _check_pull_requests(landing, spec)
    written = {
        path.stem: [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        for path in (landing / "usage").glob("*.ndjson")
    }
    assert set(written) == {day.isoformat() for day in spec.days}, "every day has its usage file, empty or not"
    with (landing / "teams" / "teams.csv").open(newline="", encoding="utf-8") as handle:
        assert {row["team_id"] for row in csv.DictReader(handle)} == spec.team_ids


def _kinds(facts) -> list[str]:
    """What a merged pull request exercises, in the oracle's reading."""
    pull_request, deploy = facts.pull_request, facts.deploy
    kinds = ["AI-assisted"] if facts.is_ai_assisted else []
    kinds += ["bot"] if pull_request.author.endswith("[bot]") else []
    kinds += ["no team"] if facts.team_id is None else []
    if deploy is None:
        return [*kinds, "never deployed"]
    kinds.append(
        "merge commit deployed" if deploy.deploy.commit_sha == pull_request.merge_commit_sha else "after merge"
    )
    kinds += ["deploy clock behind the merge"] if deploy.deploy.deployed_at < pull_request.merged_at else []
    kinds += ["deployed by another team"] if deploy.team_id != facts.team_id else []
    return kinds


def test_the_campaign_draws_every_kind_of_pull_request(tmp_path):
    """Over the campaign's first organisations: some deliver no pull requests, and the others, together, every kind
    the oracle must get right."""
    kinds: Counter = Counter()
    for seed in range(12):
        spec = organisation(seed, max_teams=4, max_days=28)
        landing = write_landing(spec, tmp_path / str(seed) / "landing")
        if spec.pull_requests is None:
            kinds["no feed"] += 1
            continue
        kinds["services.csv with repository" if spec.repository_column else "services.csv without repository"] += 1
        kinds["monorepo"] += len({service.repository for service in spec.services}) < len(spec.services)
        kinds["relabelled in a .part2 file"] += len(list((landing / "pull_requests").glob("*.part2.ndjson")))
        data = Landing(landing, first=spec.first, last=spec.last)
        metrics = PullRequestMetrics(data, deploy_facts(data))
        kinds.update(kind for facts in metrics.pull_requests for kind in _kinds(facts))
        kinds["restored failure"] += len(metrics.restores)
        delivered = [
            json.loads(line)
            for path in (landing / "pull_requests").glob("????-??-??.ndjson")
            for line in path.read_text(encoding="utf-8").splitlines()
        ]
        kinds["closed without merge"] += sum(1 for record in delivered if "merged_at" not in record)
        kinds["reopened and merged on a later day"] += len(delivered) - len({record["pr_id"] for record in delivered})
    expected = {"no feed", "services.csv with repository", "services.csv without repository", "monorepo",
                "relabelled in a .part2 file", "reopened and merged on a later day", "AI-assisted", "bot", "no team",
                "never deployed", "merge commit deployed", "after merge", "deploy clock behind the merge",
                "deployed by another team", "restored failure", "closed without merge"}  # fmt: skip
    missing = sorted(kind for kind in expected if not kinds[kind])
    assert not missing, f"kinds never drawn: {missing} ({dict(kinds)})"
