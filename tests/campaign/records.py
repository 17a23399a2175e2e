"""An organisation's day-by-day records: deploys, usage events and survey responses, expanded from its spec.

Everything is drawn from a random.Random seeded by the spec, in a fixed order, so the same spec always
expands to the same records. People work on their local days and hours; a record lands in the file of its
UTC day, and nothing lands on a public holiday or outside the window.
"""

import json
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone

from tests.campaign.spec import TOOL_ACTIVITY, VALUE_DERIVING, Habit, OrgSpec, Person

WORK_MINUTES = range(9 * 60, 18 * 60)  # a person's local working day, one minute per event at most
SERVICE_DAY_LIMIT = 16  # production deploys of one service-day: well under the spam rule's 20
BOT_IDENTITY = "github-actions[bot]"


@dataclass
class Records:
    deployments: dict[date, list[dict]] = field(default_factory=lambda: defaultdict(list))
    usage: dict[date, list[dict]] = field(default_factory=lambda: defaultdict(list))
    surveys: dict[str, list[dict]] = field(default_factory=dict)  # file name -> rows

    def ndjson(self, records: list[dict]) -> str:
        return "".join(json.dumps(record) + "\n" for record in records)


def utc_text(moment: datetime, offset_minutes: int, fraction: bool = False) -> str:
    """RFC 3339 in the writer's own offset: 2026-03-02T14:03:27+05:30, -08:00 or Z."""
    local = moment.astimezone(timezone(timedelta(minutes=offset_minutes)))
    text = local.strftime("%Y-%m-%dT%H:%M:%S") + (f".{local.microsecond // 1000:03d}" if fraction else "")
    if offset_minutes == 0:
        return text + "Z"
    sign, minutes = ("+" if offset_minutes > 0 else "-"), abs(offset_minutes)
    return f"{text}{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _local_moment(day: date, minute: int, second: int, offset_minutes: int) -> datetime:
    zone = timezone(timedelta(minutes=offset_minutes))
    return datetime.combine(day, time(minute // 60, minute % 60, second), zone).astimezone(UTC)


class _Expander:
    def __init__(self, spec: OrgSpec):
        self.spec = spec
        self.rng = random.Random(f"records-{spec.seed}")
        self.records = Records()
        self.window = set(spec.days)
        # local days whose working hours can reach a UTC day of the window
        self.local_days = [spec.first - timedelta(days=1), *spec.days, spec.last + timedelta(days=1)]

    def counts(self, day: date) -> bool:
        return day in self.window and day not in self.spec.holidays

    def new_id(self, prefix: str) -> str:
        return f"{prefix}-{uuid.UUID(int=self.rng.getrandbits(128)).hex[:16]}"

    # -- usage

    def usage(self) -> None:
        people = self.spec.people_by_id
        for habit in self.spec.habits:
            if habit.engineer_id is not None:
                self.habit_events(habit, people[habit.engineer_id])
        contractors = [habit for habit in self.spec.habits if habit.engineer_id is None]
        for day in self.spec.days:
            self.contractor_events(day, contractors)
        for events in self.records.usage.values():
            events.sort(key=lambda event: (event["_at"], event["event_id"]))
            for event in events:
                del event["_at"]

    def habit_events(self, habit: Habit, person: Person) -> None:
        for local_day in self.local_days:
            if habit.weekdays_only and local_day.weekday() >= 5:
                continue
            if self.rng.random() > habit.daily_probability:
                continue
            for event in self.day_of_events(habit, local_day, person.utc_offset_minutes):
                day = event["_at"].date()
                # used only while on the roster (engineer or not): a leaver's or joiner's other days are silent
                if self.counts(day) and self.spec.team_of(person, day) is not None:
                    self.records.usage[day].append(event)

    def day_of_events(self, habit: Habit, local_day: date, offset: int) -> list[dict]:
        count = self.rng.randint(*habit.events_per_day)
        minutes = sorted(self.rng.sample(WORK_MINUTES, count))
        kinds = TOOL_ACTIVITY[habit.tool]
        events = []
        for index, minute in enumerate(minutes):
            moment = _local_moment(local_day, minute, self.rng.randrange(60), offset)
            kind = "interaction" if index == 0 and self.rng.random() < 0.85 else self.rng.choice(kinds)
            event = {
                "event_id": self.new_id("ev"),
                "occurred_at": utc_text(moment, offset, fraction=self.rng.random() < 0.2),
                "identity": habit.identity,
                "tool": habit.tool,
                "event_type": kind,
            }
            if kind == "suggestion_shown":
                event["quantity"] = self.rng.randint(1, 6)
            elif kind in VALUE_DERIVING and self.rng.random() < 0.3:
                event["quantity"] = self.rng.randint(1, 2)
            event["_at"] = moment
            events.append(event)
        return events

    def contractor_events(self, day: date, contractors: list[Habit]) -> None:
        """Contractors' usage (no roster entry: unattributed) within a small share of the day's activity."""
        total = sum(event.get("quantity", 1) for event in self.records.usage.get(day, []))
        budget = int(total * self.spec.contractor_share)
        for habit in contractors:
            if habit.weekdays_only and day.weekday() >= 5 or self.rng.random() > habit.daily_probability:
                continue
            for event in self.day_of_events(habit, day, 0):
                if event["_at"].date() == day and event.get("quantity", 1) <= budget and self.counts(day):
                    budget -= event.get("quantity", 1)
                    self.records.usage[day].append(event)

    # -- deployments

    def deployments(self) -> None:
        """Each engineer ships on their deploy weekdays to the least busy service of their team that day."""
        load: dict[tuple[str, date], int] = defaultdict(int)
        zero_lines: set[tuple[str, date]] = set()
        services = {service.name: service for service in self.spec.services}
        shipped = []
        for person in self.spec.people:
            for local_day in self.local_days:
                if local_day.weekday() not in person.deploy_weekdays:
                    continue
                minute = self.rng.choice(range(10 * 60, 17 * 60))
                moment = _local_moment(local_day, minute, self.rng.randrange(60), person.utc_offset_minutes)
                day = moment.date()
                team = self.spec.engineer_team(person, day)
                if not self.counts(day) or team is None:
                    continue
                owned = [
                    name
                    for name in self.spec.services_of(team, day)
                    if load[(name, day)] + len(services[name].production_environments) * 2 <= SERVICE_DAY_LIMIT
                ]
                if not owned:
                    continue
                name = min(owned, key=lambda service: (load[(service, day)], self.rng.random()))
                shipped += self.release(person, services[name], moment, load, zero_lines)
        shipped += self.reverts(shipped)
        for deploy in shipped:
            at = deploy.pop("_at")
            del deploy["_person"]
            self.records.deployments[at.date()].append(deploy)
        for deploys in self.records.deployments.values():
            deploys.sort(key=lambda deploy: (deploy["deployed_at"], deploy["deployment_id"]))

    def release(self, person: Person, service, moment: datetime, load, zero_lines) -> list[dict]:
        """One commit shipped: perhaps via staging first, to each production environment of the service."""
        sha = f"{self.rng.getrandbits(160):040x}"
        day = moment.date()
        deploys = []
        if self.rng.random() < 0.3:
            deploys.append(self.deploy(person, service.name, "staging", sha, "success", moment - timedelta(minutes=30)))
        for environment in service.production_environments:
            roll = self.rng.random()
            if roll < 0.05:  # failed, then retried successfully
                deploys.append(self.deploy(person, service.name, environment, sha, "failure", moment))
                deploys.append(
                    self.deploy(person, service.name, environment, sha, "success", moment + timedelta(minutes=25))
                )
            elif roll < 0.08:
                deploys.append(self.deploy(person, service.name, environment, sha, "error", moment))
            else:
                status = "rolled_back" if roll < 0.1 else "success"
                deploys.append(self.deploy(person, service.name, environment, sha, status, moment))
            load[(service.name, day)] += 2
        for deploy in deploys:
            if "lines_changed" in deploy and deploy["lines_changed"] == 0:
                if (service.name, day) in zero_lines:  # one config-only deploy a service-day at most
                    deploy["lines_changed"] = self.rng.randint(1, 40)
                zero_lines.add((service.name, day))
        return [deploy for deploy in deploys if self.counts(deploy["_at"].date())]

    def deploy(self, person: Person, service: str, environment: str, sha: str, status: str, at: datetime) -> dict:
        triggered_by = self.rng.choices(
            [person.email, person.github_login or person.email, BOT_IDENTITY], weights=(7, 2, 1)
        )[0]
        deploy = {
            "deployment_id": self.new_id("dep"),
            "service": service,
            "environment": environment,
            "commit_sha": sha,
            "status": status,
            "deployed_at": utc_text(at, person.utc_offset_minutes),
            "triggered_by": triggered_by,
        }
        roll = self.rng.random()
        if roll < 0.9:
            deploy["lines_changed"] = self.rng.randint(1, 900) if roll > 0.04 else 0
        deploy["_at"], deploy["_person"] = at, person
        return deploy

    def reverts(self, shipped: list[dict]) -> list[dict]:
        """A few successful production deploys are reverted a few hours later by redeploying the commit they
        replaced, naming them in rollback_of (well inside any revert window)."""
        previous: dict[tuple[str, str], str] = {}
        reverts = []
        for deploy in sorted(shipped, key=lambda deploy: (deploy["_at"], deploy["deployment_id"])):
            if deploy["environment"] == "staging" or deploy["status"] != "success":
                continue
            key = (deploy["service"], deploy["environment"])
            before = previous.get(key)
            previous[key] = deploy["commit_sha"]
            if before is None or before == deploy["commit_sha"] or self.rng.random() > 0.04:
                continue
            at = deploy["_at"] + timedelta(hours=self.rng.randint(1, 5))
            if not self.counts(at.date()):
                continue
            revert = self.deploy(deploy["_person"], deploy["service"], deploy["environment"], before, "success", at)
            revert["rollback_of"] = deploy["deployment_id"]
            revert["lines_changed"] = self.rng.randint(1, 900)
            reverts.append(revert)
            previous[key] = before
        return reverts

    # -- surveys

    def surveys(self) -> None:
        for survey in self.spec.surveys:
            rows = []
            named = []
            for number in range(survey.responses):
                day = self.rng.choice(survey.days)
                moment = datetime.combine(day, time(self.rng.randint(0, 23), self.rng.randint(0, 59)), UTC)
                respondent = self.respondent(day)
                rows.append(self.response(survey, f"{survey.survey_id}-r{number}", respondent, moment))
                if respondent:
                    named.append((respondent, moment))
            for number, (respondent, moment) in enumerate(named[: survey.resubmissions]):
                later = moment + timedelta(minutes=self.rng.randint(5, 300))
                if later.date() <= self.spec.last:  # changed their mind: the latest answer counts
                    rows.append(self.response(survey, f"{survey.survey_id}-again{number}", respondent, later))
            self.records.surveys[survey.file_name] = rows

    def respondent(self, day: date) -> str:
        roll = self.rng.random()
        if roll < 0.15:
            return ""  # anonymous
        on_roster = [person for person in self.spec.people if self.spec.team_of(person, day)]
        engineers = [person for person in on_roster if person.is_engineer]
        others = [person for person in on_roster if not person.is_engineer]
        pool = others if roll < 0.22 and others else engineers
        if not pool:
            return ""
        email = self.rng.choice(pool).email
        return email.upper() if self.rng.random() < 0.1 else email

    def response(self, survey, response_id: str, respondent: str, moment: datetime) -> dict:
        tool = survey.tool if survey.tool else self.rng.choice([*self.spec.tools, ""])
        offset = self.rng.choice((0, 330, -480))
        return {
            "response_id": response_id,
            "survey_id": survey.survey_id,
            "respondent": respondent,
            "tool": tool,
            "score": self.rng.choices(range(11), weights=(1, 1, 1, 1, 2, 2, 3, 5, 7, 8, 6))[0],
            "submitted_at": utc_text(moment, offset),
        }


def expand(spec: OrgSpec) -> Records:
    expander = _Expander(spec)
    expander.usage()
    expander.deployments()
    expander.surveys()
    return expander.records
