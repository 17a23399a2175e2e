"""An organisation's repositories and pull requests (generic contract v1: services.csv's `repository` column and
pull_requests/YYYY-MM-DD.ndjson), drawn after its deploys and usage so that they agree with them: merge commits
are commits production deploys carry, and AI tools leave their marks only on the work of engineers who used one.

`with_repositories` decides which repository each service is built from and how services.csv spells it;
`draw_habits` how the organisation's pull requests come about; `expand_pull_requests` draws them from the spec
and its expanded records, deterministically from the spec's seed.

What is drawn:
- for some successful production deploys, the pull request whose merge commit the deploy carries, merged minutes
  to hours before it (now and then a few minutes after: the deploy's clock behind the merge);
- pull requests merged besides, whose merge commit no deploy names: a later deploy of a service built from the
  repository carries them, or none does in the window, or no service is built from the repository at all;
- pull requests closed without merge (some with GitHub's test merge commit);
- the Copilot coding agent's and dependabot's pull requests in the services' repositories;
- marks of AI tools (a trailer, a branch prefix, a label) on pull requests of engineers who used an AI tool in
  the merge's ISO week, and look-alikes that are no mark (a tool named in prose, a colleague's Co-authored-by);
- one pull request closed, reopened and merged days later (the resend in the later day's file, with a later
  updated_at), and one merged pull request relabelled afterwards (resent in a .part2 file).

Honest: nobody's week comes near pr_splitting_min_prs_per_week merged pull requests, and no mark comes from an
engineer without AI tool activity in the merge's week (attribution_without_usage).
"""

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, timezone

from tests.campaign.records import Records, utc_text
from tests.campaign.spec import OrgSpec, Person, PullRequestHabits, Service

COPILOT_AGENT = "copilot-swe-agent[bot]"
DEPENDABOT = "dependabot[bot]"
OWNERS = ("acme", "Initech", "globex-eng")
LOOSE_REPOSITORIES = ("handbook", "dev-tools", "infra-terraform", "design-system")
MAX_PER_AUTHOR_WEEK = 9  # merged pull requests an author's week may hold: far below pr_splitting's 15
# Marks the shipped ai_attribution_rules.csv call strong: (kind, text)
AI_MARKS = (
    ("trailer", "Co-authored-by: Claude <noreply@anthropic.com>"),
    ("trailer", "Co-Authored-By: Claude <noreply@anthropic.com>"),
    ("trailer", "\N{ROBOT FACE} Generated with [Claude Code](https://claude.com/claude-code)"),
    ("trailer", "Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>"),
    ("trailer", "Made-with: Cursor"),
    ("branch", "claude/"),
    ("branch", "cursor/"),
    ("branch", "codex/"),
    ("label", "ai-assisted"),
    ("label", "AI-Generated"),
)
# Text that names an AI tool without being a mark of one
LOOK_ALIKES = (
    ("message", "Explain how Copilot suggestions are logged"),
    ("message", "Document the Claude API client's retries"),
    ("branch", "feature/copilot-settings"),
    ("label", "ai"),
    ("label", "needs-ai-review"),
)
VERBS = ("Add", "Fix", "Remove", "Refactor", "Speed up", "Document", "Test", "Rename")
NOUNS = ("checkout flow", "retry policy", "audit log", "rate limiter", "search index", "invoice export",
         "feature flag", "cache warmer", "login page", "webhook handler", "schema migration")  # fmt: skip
LABELS = ("bug", "feature", "chore", "refactor", "documentation")
PACKAGES = ("lodash", "requests", "pytest", "express", "boto3", "react-dom")


@dataclass
class PullRequestFiles:
    by_day: dict[date, list[dict]] = field(default_factory=lambda: defaultdict(list))
    resends: dict[date, list[dict]] = field(default_factory=lambda: defaultdict(list))  # the .part2 files


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


# ---- the spec --------------------------------------------------------------------------------------


def with_repositories(
    services: list[Service], team_of: dict[str, str], column: bool, rng: random.Random
) -> tuple[list[Service], str]:
    """The services with the repository each is built from and services.csv's spelling of it. Without the
    column a service is built from the repository its own name spells; with it, the cell names the repository
    as owner/repo (its case aside) or as the bare repo, or is empty (its own name again), and two services of
    one team may share a repository (a monorepo). Returns the services and the organisation's GitHub owner."""
    owner = rng.choice(OWNERS)
    built = []
    for service in services:
        repository = f"{owner}/{service.name}"
        cell = None
        if column and rng.random() < 0.75:
            repository = f"{owner}/{service.name}{rng.choice(('', '-service'))}"
            cell = rng.choice((repository, repository.title(), repository.split("/")[1], owner.upper() + "/"
                               + repository.split("/")[1]))  # fmt: skip
        built.append(replace(service, repository=repository, listed_repository=cell))
    by_team: dict[str, list[int]] = defaultdict(list)
    for index, service in enumerate(built):
        by_team[team_of[service.name]].append(index)
    shared = [indexes for _, indexes in sorted(by_team.items()) if len(indexes) >= 2]
    if column and shared and rng.random() < 0.5:
        first, second = rng.sample(rng.choice(shared), 2)
        monorepo = f"{owner}/monorepo-{first + 1}"
        for index in (first, second):
            built[index] = replace(built[index], repository=monorepo, listed_repository=monorepo)
    return built, owner


def draw_habits(owner: str, rng: random.Random) -> PullRequestHabits:
    loose = rng.sample(LOOSE_REPOSITORIES, rng.randint(0, 2))
    return PullRequestHabits(
        shipped_share=round(rng.uniform(0.4, 0.9), 2),
        extra_per_week=rng.randint(0, 3),
        closed_share=round(rng.uniform(0.03, 0.15), 2),
        ai_share=round(rng.uniform(0.1, 0.7), 2),
        review_share=round(rng.uniform(0.5, 0.95), 2),
        clock_behind_share=rng.choice((0.0, 0.05, 0.1)),
        loose_repositories=tuple(f"{owner}/{name}" for name in loose),
        copilot_agent=rng.random() < 0.5,
        dependabot=rng.random() < 0.5,
        reopened=rng.random() < 0.6,
        relabelled=rng.random() < 0.6,
    )


# ---- the records -------------------------------------------------------------------------------


class _Drawer:
    def __init__(self, spec: OrgSpec, habits: PullRequestHabits, records: Records):
        self.spec = spec
        self.habits = habits
        self.rng = random.Random(f"pull-requests-{spec.seed}")
        self.services = {service.name: service for service in spec.services}
        self.files = PullRequestFiles()
        self.numbers: Counter[str] = Counter()
        self.authored: Counter[tuple[str, date]] = Counter()  # (engineer or bot, week) -> merged pull requests
        self.merged: list[dict] = []
        self.closed: list[dict] = []
        self.active = {
            (engineer_id, _monday(day))
            for day, events in records.usage.items()
            for event in events
            if (engineer_id := spec.identities.get(event["identity"].lower()))
        }

    def counts(self, day: date) -> bool:
        return self.spec.first <= day <= self.spec.last and day not in self.spec.holidays

    # -- who and where

    def owner_on(self, service: str, day: date) -> str | None:
        owners = [owner.team_id for owner in self.spec.ownerships if owner.service == service and owner.covers(day)]
        return owners[0] if owners else None

    def author_for(self, service: str, day: date) -> Person | None:
        """Mostly an engineer of the team owning the service that day; now and then an engineer of another team,
        or someone on the roster who is no engineer (a manager's fix counts for the service's owner)."""
        on_roster = [person for person in self.spec.people if self.spec.team_of(person, day)]
        engineers = [person for person in on_roster if person.is_engineer]
        owning = [person for person in engineers if self.spec.team_of(person, day) == self.owner_on(service, day)]
        others = [person for person in on_roster if not person.is_engineer]
        roll = self.rng.random()
        pool = others if roll < 0.04 and others else engineers if roll < 0.14 or not owning else owning
        return self.rng.choice(pool) if pool else None

    def spelling(self, person: Person) -> str:
        """The author as an exporter writes them: a login (its case as it comes) or an email."""
        if person.github_login and self.rng.random() < 0.8:
            return person.github_login if self.rng.random() < 0.8 else person.github_login.upper()
        return person.email if self.rng.random() < 0.9 else person.email.upper()

    def room(self, key: str, day: date) -> bool:
        return self.authored[(key, _monday(day))] < MAX_PER_AUTHOR_WEEK

    # -- kinds of pull requests

    def shipped(self, deployments: dict[date, list[dict]]) -> None:
        """Some successful production deploys carry a pull request's merge commit."""
        seen = set()
        for day in sorted(deployments):
            for deploy in deployments[day]:
                key = (deploy["service"], deploy["commit_sha"])
                if deploy["environment"] == "staging" or deploy["status"] != "success" or "rollback_of" in deploy:
                    continue
                if key in seen:
                    continue
                seen.add(key)
                if self.rng.random() > self.habits.shipped_share:
                    continue
                deployed_at = datetime.fromisoformat(deploy["deployed_at"]).astimezone(UTC)
                if self.rng.random() < self.habits.clock_behind_share:
                    merged_at = deployed_at + timedelta(minutes=self.rng.randint(1, 5))
                else:
                    merged_at = deployed_at - timedelta(minutes=self.rng.randint(10, 20 * 60))
                author = self.author_for(deploy["service"], merged_at.date())
                if author is not None and self.counts(merged_at.date()):
                    repository = self.services[deploy["service"]].repository
                    self.human(author, repository, merged_at, deploy["commit_sha"], merged=True)

    def besides(self) -> None:
        """Each engineer merges a few pull requests a week whose merge commit no deploy names, and closes some."""
        for monday in sorted({_monday(day) for day in self.spec.days}):
            for person in self.spec.people:
                if not person.is_engineer:
                    continue
                for _ in range(self.rng.randint(0, self.habits.extra_per_week)):
                    local_day = monday + timedelta(days=self.rng.randrange(5))
                    moment = _local(local_day, self.rng.randrange(9 * 3600, 18 * 3600), person.utc_offset_minutes)
                    team = self.spec.engineer_team(person, moment.date())
                    if team is None or not self.counts(moment.date()):
                        continue
                    owned = self.spec.services_of(team, moment.date())
                    repositories = [self.services[name].repository for name in owned]
                    if not repositories or self.habits.loose_repositories and self.rng.random() < 0.15:
                        repositories = list(self.habits.loose_repositories)
                    if repositories:
                        merged = self.rng.random() >= self.habits.closed_share
                        self.human(person, self.rng.choice(repositories), moment, _sha(self.rng), merged)

    def bots(self) -> None:
        """The Copilot agent's pull requests and dependabot's, a few a week, in the services' repositories;
        dependabot's in a repository no service is built from count for no team (reported, not an error)."""
        weekly = {COPILOT_AGENT: 3 if self.habits.copilot_agent else 0, DEPENDABOT: 2 if self.habits.dependabot else 0}
        for monday in sorted({_monday(day) for day in self.spec.days}):
            for bot, most in weekly.items():
                for _ in range(self.rng.randint(0, most)):
                    moment = _local(monday + timedelta(days=self.rng.randrange(7)), self.rng.randrange(86400), 0)
                    owned = [name for name in sorted(self.services) if self.owner_on(name, moment.date())]
                    if not owned or not self.counts(moment.date()) or not self.room(bot, moment.date()):
                        continue
                    service = self.rng.choice(owned)
                    repository = self.services[service].repository
                    if bot == DEPENDABOT and self.habits.loose_repositories and self.rng.random() < 0.2:
                        repository = self.rng.choice(self.habits.loose_repositories)
                    self.bot(bot, repository, moment, service)

    def human(self, person: Person, repository: str, closing: datetime, sha: str, merged: bool) -> None:
        key = person.engineer_id
        if merged and not self.room(key, closing.date()):
            return
        week = _monday(closing.date())
        marked = person.is_engineer and (key, week) in self.active and self.rng.random() < self.habits.ai_share
        verb, noun = self.rng.choice(VERBS), self.rng.choice(NOUNS)
        branch = f"{self.rng.choice(('feature', 'fix', 'chore'))}/{noun.replace(' ', '-')}-{self.rng.randrange(1000)}"
        labels = self.rng.sample(LABELS, self.rng.randint(0, 2))
        commits = self.commits(closing, self.spelling(person), person.utc_offset_minutes, f"{verb} the {noun}")
        if marked:
            kind, text = self.rng.choice(AI_MARKS)
            branch, labels = self.mark(kind, text, branch, labels, commits)
        elif self.rng.random() < 0.15:
            kind, text = self.rng.choice(LOOK_ALIKES)
            branch, labels = self.mark(kind, text, branch, labels, commits)
        elif self.rng.random() < 0.1:
            colleague = self.rng.choice(self.spec.people)
            commits[-1]["message"] += f"\n\nCo-authored-by: {colleague.full_name} <{colleague.email}>"
        record = self.record(
            repository, self.spelling(person), f"{verb} the {noun}", branch, closing, sha, labels, commits, merged
        )
        record["_marked"] = marked
        if merged:
            self.authored[(key, week)] += 1
            self.merged.append(record)
        else:
            self.closed.append(record)

    def bot(self, bot: str, repository: str, closing: datetime, service: str) -> None:
        if bot == COPILOT_AGENT:
            owner = self.owner_on(service, closing.date())
            team = [person for person in self.spec.people if self.spec.engineer_team(person, closing.date()) == owner]
            asked = self.rng.choice(team) if team else None
            title = f"Fix the {self.rng.choice(NOUNS)}"
            commits = self.commits(closing, bot, 0, title)
            if asked is not None:  # the engineer who handed the agent its task
                commits[-1]["message"] += f"\n\nCo-authored-by: {asked.full_name} <{asked.email}>"
            branch, labels = f"copilot/fix-{self.rng.randrange(10**4)}", []
        else:
            package = self.rng.choice(PACKAGES)
            title = f"Bump {package} from 1.{self.rng.randrange(9)}.0 to 1.9.{self.rng.randrange(9)}"
            commits = self.commits(closing, bot, 0, title)
            branch, labels = f"dependabot/npm_and_yarn/{package}-1.9", ["dependencies"]
        record = self.record(repository, bot, title, branch, closing, _sha(self.rng), labels, commits, True)
        if bot == DEPENDABOT:
            record["additions"] = record["deletions"] = self.rng.randint(1, 6)
        self.authored[(bot, _monday(closing.date()))] += 1
        self.merged.append(record)

    # -- pieces of a pull request

    def commits(self, closing: datetime, author: str, offset: int, message: str) -> list[dict]:
        """One to five commits, the first up to a day before the pull request was opened, the last before it
        closed."""
        earliest = closing - timedelta(minutes=self.rng.randint(60, 6 * 24 * 60))
        span = int((closing - earliest).total_seconds()) - 60
        moments = sorted(earliest + timedelta(seconds=self.rng.randrange(span)) for _ in range(self.rng.randint(1, 5)))
        return [
            {
                "sha": _sha(self.rng),
                "authored_at": utc_text(moment, offset),
                "author": author,
                "message": message if index == 0 else f"{self.rng.choice(VERBS)} tests",
            }
            for index, moment in enumerate(moments)
        ]

    def mark(self, kind: str, text: str, branch: str, labels: list[str], commits: list[dict]):
        if kind == "trailer":
            commit = self.rng.choice(commits)
            commit["message"] += f"\n\n{text}"
        elif kind == "message":
            commits[0]["message"] = text
        elif kind == "branch":
            branch = text + branch.split("/", 1)[1] if text.endswith("/") else text
        else:
            labels = [*labels, text]
        return branch, labels

    def record(
        self, repository: str, author: str, title: str, branch: str, closing: datetime, sha: str | None,
        labels: list[str], commits: list[dict], merged: bool,
    ) -> dict:  # fmt: skip
        self.numbers[repository] += 1
        number = 100 + self.numbers[repository]
        first_commit = min(datetime.fromisoformat(commit["authored_at"]) for commit in commits)
        created = max(first_commit, closing - timedelta(hours=self.rng.randint(1, 72)))
        size = int(self.rng.lognormvariate(4.2, 1.1)) + 1
        record = {
            "pr_id": f"{repository}#{number}",
            "repository": repository,
            "number": number,
            "author": author,
            "title": title,
            "head_branch": branch,
            "base_branch": self.rng.choice(("main", "main", "master", "release/2026.1")),
            "created_at": utc_text(created, 0),
            "first_review_at": None,
            "merged_at": utc_text(closing, 0) if merged else None,
            "closed_at": utc_text(closing, 0),
            "merge_commit_sha": sha if merged or self.rng.random() < 0.5 else None,
            "additions": size,
            "deletions": int(size * self.rng.uniform(0, 0.8)),
            "changed_files": 1 + size // 80,
            "labels": labels,
            "commits": commits,
            "updated_at": utc_text(closing + timedelta(seconds=self.rng.randint(0, 600)), 0),
            "_at": closing,
        }
        if self.rng.random() < self.habits.review_share:
            wait = self.rng.uniform(0, (closing - created).total_seconds())
            record["first_review_at"] = utc_text(created + timedelta(seconds=int(wait)), 0)
        return record

    # -- resends

    def reopen(self) -> None:
        """A pull request closed unmerged, reopened and merged one to five days later: its second delivery, with
        one more commit and a later updated_at, goes to the file of the day it was merged."""
        candidates = [record for record in self.closed if not record["_marked"]]
        if not self.habits.reopened or not candidates:
            return
        first = self.rng.choice(candidates)
        merged_at = first["_at"] + timedelta(days=self.rng.randint(1, 5), minutes=self.rng.randint(0, 600))
        author = self.spec.identities.get(first["author"].lower())
        if not self.counts(merged_at.date()) or (author and not self.room(author, merged_at.date())):
            return
        again = first | {
            "merged_at": utc_text(merged_at, 0),
            "closed_at": utc_text(merged_at, 0),
            "merge_commit_sha": _sha(self.rng),
            "commits": [
                *first["commits"],
                {
                    "sha": _sha(self.rng),
                    "authored_at": utc_text(merged_at - timedelta(hours=2), 0),
                    "author": first["commits"][0]["author"],
                    "message": "Address the review",
                },
            ],
            "updated_at": utc_text(merged_at + timedelta(minutes=3), 0),
            "_at": merged_at,
        }
        if author:
            self.authored[(author, _monday(merged_at.date()))] += 1
        self.merged.append(again)

    def relabel(self) -> None:
        """A merged pull request relabelled a day or two later, delivered again in its day's .part2 file: an
        ai-assisted label where its engineer used an AI tool that week, else a neutral one."""
        if not self.habits.relabelled or not self.merged:
            return
        record = self.rng.choice(self.merged)
        engineer_id = self.spec.identities.get(record["author"].lower())
        active = (engineer_id, _monday(record["_at"].date())) in self.active
        later = record["_at"] + timedelta(hours=self.rng.randint(20, 50))
        again = record | {
            "labels": [*record["labels"], "ai-assisted" if active else "released"],
            "updated_at": utc_text(later, 0),
        }
        self.files.resends[record["_at"].date()].append(again)

    def files_out(self) -> PullRequestFiles:
        for record in self.merged + self.closed:
            self.files.by_day[record["_at"].date()].append(record)
        for by_day in (self.files.by_day, self.files.resends):
            for day, records in by_day.items():
                records.sort(key=lambda record: (record["_at"], record["pr_id"]))
                by_day[day] = [_written(record) for record in records]
        return self.files


def _written(record: dict) -> dict:
    """The record as the exporter writes it: no private keys, the optional fields left out when unknown."""
    return {name: value for name, value in record.items() if not name.startswith("_") and value is not None}


def _sha(rng: random.Random) -> str:
    return f"{rng.getrandbits(160):040x}"


def _local(day: date, second_of_day: int, offset_minutes: int) -> datetime:
    """A moment of a local day, in UTC."""
    zone = timezone(timedelta(minutes=offset_minutes))
    clock = time(second_of_day // 3600, second_of_day // 60 % 60, second_of_day % 60)
    return datetime.combine(day, clock, zone).astimezone(UTC)


def expand_pull_requests(spec: OrgSpec, records: Records) -> PullRequestFiles | None:
    """The organisation's pull request files, None when it delivers no pull requests."""
    if spec.pull_requests is None:
        return None
    drawer = _Drawer(spec, spec.pull_requests, records)
    drawer.shipped(records.deployments)
    drawer.besides()
    drawer.bots()
    drawer.reopen()
    drawer.relabel()
    return drawer.files_out()
