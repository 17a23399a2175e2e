"""Demo generator: a synthetic engineering organisation written as generic contract v1 landing files.

`generate` writes the files of the generic contract v1: roster snapshots, teams, services, identities, licence
grants, one deployments, one usage, one spend and one pull requests NDJSON file per day, and one CSV per survey wave.
With `plant_cases` it also plants the gaming cases the guards must catch and, when asked,
writes a ground-truth JSON naming exactly what each guard must flag, so precision and recall can be
computed. `plant_broken_feed` breaks one day of an existing landing in one of the ways the gates catch.

The world model, in short:
- teams sit in orgs (about 6 each) and orgs in parent orgs; about 15% of teams are in the 10x cohort;
- people join, leave and move between teams at roster snapshots (weekly); each team has 1-3 managers or
  designers besides its engineers;
- each engineer adopts AI tools at a day drawn from the team's logistic adoption curve (the 10x cohort
  adopts sooner); licensed tools are used under a grant, except for a few shadow users; some adopters
  churn, some grants are revoked, a few seats are never used;
- deploys per service-day are Poisson: each team's level times a trend and a 4-week season every team shares,
  plus a known AI effect (`DemoSpec.ai_effect` quality-adjusted deploys per engineer per week, 0 for none) from
  the team's adoption week on, found from its engineers' adoption with mart_team_cohorts' rule (impact.py); the
  ground truth names the effect and every team's adoption week;
  rollbacks, revert commits and retries after a failure occur at realistic rates;
- contractors (identities not on the roster) and non-engineers add a little activity, always well
  under 5% of a day's events;
- engineers merge about 5 pull requests a week into the repositories their services are built from (and a
  handbook no service is built from); every original change and revert commit a service deploys is the merge
  commit of one of them, and an AI tool's trailers appear only after the author used that tool that day.

Planted cases are kept far from honest records: honest service-days stay at most 10 original deploys
and at most one zero-line deploy, honest identities stay far below 20 value events per minute, honest
never-used grants stay at most 3 per tool and day, no commit is deployed twice to one environment
except by the planted redeploys and by rollbacks to the previous sha (both listed in the ground truth), no
honest engineer merges 15 pull requests of a median 20 lines in a week (pr_splitting), and no honest AI
trailer comes from an engineer without AI use that week (attribution_without_usage).

Everything is vectorised with numpy and pyarrow (Python loops run over days, snapshots, tools and
small structures only) and seeded: the same DemoSpec gives byte-identical files.

The package's modules, in the order the world is built: spec, reference, organisation, cases, adoption,
world; then the writers: deployments, usage, spend, files, surveys, pull_requests (pull_request_text holds what they
say, pull_request_files writes them); truth lists what the guards must flag.
"""

import json
import re
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np

from orchestration.lib.reference import metric_vars
from orchestration.tools.demo.adoption import build_adoption, build_contractors, build_identities
from orchestration.tools.demo.cases import plan_cases
from orchestration.tools.demo.deployments import build_deployments, write_deployments
from orchestration.tools.demo.files import write_csv, write_grants, write_structure
from orchestration.tools.demo.impact import plant_impact
from orchestration.tools.demo.organisation import build_people, build_services, build_teams
from orchestration.tools.demo.pull_request_files import write_pull_requests
from orchestration.tools.demo.pull_requests import Activity, build_pull_requests
from orchestration.tools.demo.reference import Calendar, load_reference, random_stream
from orchestration.tools.demo.spec import (
    ACKNOWLEDGEMENT_COLUMNS,
    BROKEN_FEED_CASES,
    NEVER,
    PRODUCTION,
    SURVEY_COLUMNS,
    DemoSpec,
)
from orchestration.tools.demo.spend import runaway_key, spend_day, write_fx_rates, write_spend
from orchestration.tools.demo.surveys import build_surveys
from orchestration.tools.demo.truth import build_truth
from orchestration.tools.demo.usage import EventSampler, usage_day, write_usage
from orchestration.tools.demo.world import World


def _write_acknowledgements(landing: Path, truth: dict) -> None:
    """Acknowledge the planted gaming cases, as a person would after looking at them.

    A small demo org makes every planted case a large share of its week, so without this the gaming
    gate would (rightly) block the demo's publication. The guards still flag and exclude them.
    """
    reason = "demo: planted case, reviewed"
    rows = [("deploy_spam", case["service"], case["day"], reason) for case in truth["deploy_spam"]]
    rows += [("bot_activity", case["identity"], "", reason) for case in truth["bot_activity"]]
    rows += [("pr_splitting", case["identity"], case["week_start"], reason) for case in truth["pr_splitting"]]
    rows += [("spend_spike", case["identity"], case["day"], reason) for case in truth["spend_spike"]]
    write_csv(landing / "reference" / "guard_acknowledgements.csv", ACKNOWLEDGEMENT_COLUMNS, rows)


def generate(
    spec: DemoSpec,
    landing: Path,
    ground_truth: Path | None = None,
    progress: Callable[[str], None] = print,
) -> dict:
    """Write the demo organisation as generic contract v1 files under `landing`; return a summary.

    With `ground_truth`, also write a JSON listing every planted case exactly as a guard must flag it.
    """
    if spec.teams < 1 or spec.engineers_per_team < 1 or spec.days < 1:
        raise ValueError(f"DemoSpec needs at least one team, engineer and day, got {spec}")
    landing = Path(landing)
    ref = load_reference()
    cal = Calendar(spec.start, spec.days)
    rng = random_stream(spec.seed, 1)
    teams = build_teams(spec, ref, rng)
    people = build_people(spec, teams, cal, rng)
    services = build_services(teams, cal, rng)
    plan = plan_cases(ref, cal, people, services, rng) if spec.plant_cases else None
    adoption = build_adoption(ref, cal, teams, people, plan, random_stream(spec.seed, 2))
    contractors = build_contractors(ref, cal, people, random_stream(spec.seed, 3))
    identities = build_identities(ref, people, adoption, contractors)
    world = World(spec, ref, cal, teams, people, services, plan, adoption, contractors, identities)
    progress(
        f"demo: {teams.count} teams in {len(teams.org_names)} orgs, {people.count} people, "
        f"{services.count} services, {cal.days} days from {cal.iso(0)}"
    )

    counts = write_structure(landing, world)
    counts["licence_grants"] = write_grants(landing, world, random_stream(spec.seed, 4))
    progress(
        f"demo: roster ({cal.snapshot_count} snapshots), teams, services, identities, "
        f"{counts['licence_grants']} licence grants written"
    )

    impact, adoption_weeks = plant_impact(cal, teams, people, adoption, spec.ai_effect, metric_vars(landing))
    deployments, previous_sha = build_deployments(
        cal, teams, people, services, contractors, plan, impact, random_stream(spec.seed, 5)
    )
    write_deployments(landing, world, deployments)
    progress(f"demo: {len(deployments.rows)} deployments over {cal.days} daily files")

    folder = landing / "usage"
    folder.mkdir(parents=True, exist_ok=True)
    sampler = EventSampler(ref)
    daily, contractor_first_day, staff_seen = [], np.full(contractors.count, NEVER), set()
    activity = Activity.empty(cal.days, people.count, len(ref.tools))
    runaway = runaway_key(cal.days) if spec.plant_cases else None
    write_fx_rates(landing)
    spend_records = 0
    for day in range(cal.days):
        events = usage_day(world, day, sampler, random_stream(spec.seed, 6, day))
        write_usage(folder / f"{cal.iso(day)}.ndjson", world, day, events)
        spent = spend_day(
            world, day, events.identity, events.tool, events.second, runaway, random_stream(spec.seed, 9, day)
        )
        write_spend(landing / "spend" / f"{cal.iso(day)}.ndjson", spent)
        spend_records += len(spent)
        activity.add(day, events.active_person, events.active_tool, events.active_first_second)
        contractor_first_day[events.contractors_seen] = np.minimum(contractor_first_day[events.contractors_seen], day)
        staff_seen.update(events.staff_seen.tolist())
        daily.append(
            {
                "day": cal.iso(day),
                "events": len(events.second),
                "unattributed_events": events.unattributed_events,
                "value_events": events.value_events,
                "bot_value_events": events.bot_value_events,
            }
        )
        progress(f"demo: usage {cal.iso(day)}: {len(events.second)} events")

    pull_requests = build_pull_requests(world, deployments, activity, random_stream(spec.seed, 8))
    write_pull_requests(landing, world, pull_requests)
    progress(f"demo: {len(pull_requests)} pull requests over {cal.days} daily files")

    surveys, stuffing = build_surveys(world, random_stream(spec.seed, 7))
    for wave, survey in enumerate(surveys, start=1):
        write_csv(landing / "surveys" / f"nps_wave_{wave}.csv", SURVEY_COLUMNS, survey.rows)
    progress(f"demo: {len(surveys)} survey waves, {sum(len(s.rows) for s in surveys)} responses")

    truth = build_truth(
        world, deployments, previous_sha, daily, contractor_first_day, sorted(staff_seen), stuffing, pull_requests
    )
    truth["spend_spike"] = (
        [{"identity": runaway.identity, "tool": runaway.tool, "day": cal.iso(runaway.day)}] if runaway else []
    )
    truth["ai_impact"] = {
        "effect_deploys_per_engineer_week": spec.ai_effect,
        "adoption_weeks": {
            team_id: cal.iso(7 * int(week)) if week >= 0 else None
            for team_id, week in zip(teams.team_id, adoption_weeks, strict=True)
        },
    }
    if spec.plant_cases:
        _write_acknowledgements(landing, truth)
    if ground_truth is not None:
        ground_truth = Path(ground_truth)
        ground_truth.parent.mkdir(parents=True, exist_ok=True)
        ground_truth.write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
        progress(f"demo: ground truth written to {ground_truth}")

    rows = deployments.rows
    return {
        "start": cal.iso(0),
        "end": cal.iso(cal.days - 1),
        "days": cal.days,
        "teams": teams.count,
        "orgs": len(teams.org_names),
        "parent_orgs": len(teams.parent_names),
        "people": people.count,
        "engineers": int(people.is_engineer.sum()),
        "contractors": contractors.count,
        "roster_snapshots": cal.snapshot_count,
        "roster_rows": counts["roster_rows"],
        "services": counts["services"],
        "identities": counts["identities"],
        "licence_grants": counts["licence_grants"],
        "deployments": len(rows),
        "production_deployments": int((rows.environment == PRODUCTION).sum()),
        "usage_events": sum(entry["events"] for entry in daily),
        "spend_records": spend_records,
        "pull_requests": len(pull_requests),
        "merged_pull_requests": int(pull_requests.merged.sum()),
        "usage_events_max_day": max(entry["events"] for entry in daily),
        "max_unattributed_share": max(
            (entry["unattributed_events"] / entry["events"] for entry in daily if entry["events"]),
            default=0.0,
        ),
        "survey_waves": len(surveys),
        "survey_responses": sum(len(survey.rows) for survey in surveys),
    }


def plant_broken_feed(landing: Path, case: str, day: date) -> None:
    """Break one day of an existing landing the way a real feed breaks (see BROKEN_FEED_CASES)."""
    landing = Path(landing)
    iso = day.isoformat()
    usage = landing / "usage" / f"{iso}.ndjson"
    if case == "missing_deploy_day":
        _existing(landing / "deployments" / f"{iso}.ndjson").unlink()
    elif case == "duplicated_usage_day":
        shutil.copyfile(_existing(usage), usage.with_name(f"{iso}.resent.ndjson"))
    elif case == "epoch_millis_as_seconds":
        text = _existing(usage).read_text(encoding="utf-8")
        pattern = re.compile(r'"occurred_at":"([^"]*)Z"')
        stamps = np.array(pattern.findall(text), dtype="datetime64[s]")
        wrong = np.datetime_as_string((stamps.astype(np.int64) * 1000).astype("datetime64[s]"), unit="s")
        replacements = iter(wrong.tolist())
        usage.write_text(pattern.sub(lambda _: f'"occurred_at":"{next(replacements)}Z"', text), encoding="utf-8")
    elif case == "malformed_lines":
        lines = _existing(usage).read_bytes().split(b"\n")
        content = [i for i, line in enumerate(lines) if line.strip()]
        if len(content) < 2:
            raise ValueError(f"{usage}: malformed_lines needs at least 2 lines, found {len(content)}")
        for i in (content[len(content) // 3], content[(2 * len(content)) // 3]):
            lines[i] = lines[i][: len(lines[i]) // 2]
        usage.write_bytes(b"\n".join(lines))
    else:
        raise ValueError(f"unknown broken-feed case {case!r}: expected one of {', '.join(BROKEN_FEED_CASES)}")


def _existing(path: Path) -> Path:
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such landing file to break (generate the demo first)")
    return path
