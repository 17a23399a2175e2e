"""The metrics oracle's pull request metrics and the DORA times, from the landing files alone (README, Metrics:
merged pull requests, AI-assisted pull request, cycle time, review wait, size, lead time for changes, time to
restore; Guards: pr_splitting).

Written from the definitions' text, not from the dbt models; tests/metrics_oracle.py reads the rest of the landing
(roster, identities, services, deploys) and hands it over as its `Landing` and deploy facts. Where a definition
leaves room for reading, the reading taken is written down at that spot ("Reading:").
"""

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING

from tests.oracle_reading import hours, ndjson_records, ratio, reference_rows, utc, week_start

if TYPE_CHECKING:
    from tests.metrics_oracle import DeployFacts, Landing


@dataclass(frozen=True)
class Commit:
    sha: str
    authored_at: datetime
    author: str
    message: str


@dataclass(frozen=True)
class PullRequest:
    """The delivery of a pull request that counts: the one with the latest updated_at."""

    pr_id: str
    repository: str
    author: str
    head_branch: str
    created_at: datetime
    first_review_at: datetime | None
    merged_at: datetime | None
    merge_commit_sha: str | None
    additions: int
    deletions: int
    labels: tuple[str, ...]
    commits: tuple[Commit, ...]

    @property
    def merged_day(self) -> date:
        return self.merged_at.date()


def _optional_moment(record: dict, name: str) -> datetime | None:
    return utc(record[name]) if record.get(name) else None


def _pull_request(record: dict) -> PullRequest:
    merged_at = _optional_moment(record, "merged_at")
    return PullRequest(
        pr_id=record["pr_id"],
        repository=record["repository"],
        author=record["author"],
        head_branch=record["head_branch"],
        created_at=utc(record["created_at"]),
        first_review_at=_optional_moment(record, "first_review_at"),
        merged_at=merged_at,
        # an unmerged pull request's merge commit is GitHub's test merge, never the base branch's
        merge_commit_sha=(record.get("merge_commit_sha") or None) if merged_at else None,
        additions=int(record["additions"]),
        deletions=int(record["deletions"]),
        labels=tuple(label.strip() for label in record["labels"]),
        commits=tuple(
            Commit(commit["sha"], utc(commit["authored_at"]), commit["author"], commit["message"])
            for commit in record["commits"]
        ),
    )


def read_pull_requests(data: "Landing") -> list[PullRequest] | None:
    """Every pull request delivered in the data's days, merged or closed; None when the organisation delivered
    none (no pull_requests/ folder, or only empty files)."""
    deliveries = []
    for day in data.days:
        for path in sorted((data.landing / "pull_requests").glob(f"{day.isoformat()}*.ndjson")):
            deliveries.extend(ndjson_records(path))
    if not deliveries:
        return None
    # Reading: at the same updated_at the later delivery (file, then line) counts; the contract only says the
    # latest updated_at counts.
    latest: dict[str, dict] = {}
    for record in deliveries:
        known = latest.get(record["pr_id"])
        if known is None or utc(record["updated_at"]) >= utc(known["updated_at"]):
            latest[record["pr_id"]] = record
    return [_pull_request(record) for record in latest.values()]


# ---- AI attribution ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    rule_id: str
    kind: str
    pattern: str
    is_strong: bool


@cache
def _like(pattern: str) -> re.Pattern:
    """A SQL LIKE pattern as a regular expression: % any text (new lines too), _ one character, the rest as is."""
    parts = [".*" if char == "%" else "." if char == "_" else re.escape(char) for char in pattern.lower()]
    return re.compile("".join(parts), re.DOTALL)


def like(text: str, pattern: str) -> bool:
    """`text` LIKE `pattern`, both lower-cased."""
    return _like(pattern).fullmatch(text.lower()) is not None


def attribution_rules(data: "Landing") -> list[Rule]:
    rules = [
        Rule(row["rule_id"], row["kind"], row["pattern"], row["strength"] == "strong")
        for row in reference_rows(data.landing, data.seeds, "ai_attribution_rules")
    ]
    # Reading: a usage_window rule is weak in the shipped rules and makes no pull request AI-assisted; this
    # oracle does not compute one an organisation made strong (it would need the author's daily tool use).
    if any(rule.kind == "usage_window" and rule.is_strong for rule in rules):
        raise NotImplementedError("a strong usage_window rule: the oracle computes AI-assisted without usage")
    return rules


def fires(rule: Rule, pull_request: PullRequest) -> bool:
    """Whether `rule` marks the pull request: trailer on a commit message, author on the pull request's or a
    commit's author, label on a label, branch_prefix on the head branch."""
    if rule.kind == "trailer":
        texts: Iterable[str] = (commit.message for commit in pull_request.commits)
    elif rule.kind == "author":
        texts = (pull_request.author, *(commit.author for commit in pull_request.commits))
    elif rule.kind == "label":
        texts = pull_request.labels
    elif rule.kind == "branch_prefix":
        texts = (pull_request.head_branch,)
    else:
        return False
    return any(like(text, rule.pattern) for text in texts)


def is_ai_assisted(pull_request: PullRequest, rules: list[Rule]) -> bool:
    return any(rule.is_strong and fires(rule, pull_request) for rule in rules)


# ---- repositories and services -----------------------------------------------------------------


def _full_name(name: str) -> bool:
    """`owner/repo`: exactly one / with text on both sides."""
    owner, slash, repo = name.partition("/")
    return bool(slash and owner and repo and "/" not in repo)


def same_repository(repository: str, built_from: str) -> bool:
    """README, Service names, for a pull request's repository and the repository a service is built from: the
    same name, or one owner/repo and the other the bare repo of the same name; a comparison involving an
    owner/repo ignores case (GitHub's names do), two bare names compare exactly."""
    if repository == built_from:
        return True
    full = _full_name(repository), _full_name(built_from)
    if all(full):
        return repository.lower() == built_from.lower()
    if any(full):
        return _repository_name(repository).lower() == _repository_name(built_from).lower()
    return False


def _repository_name(name: str) -> str:
    return name.partition("/")[2] if _full_name(name) else name


# ---- pull request facts ------------------------------------------------------------------------


@dataclass
class PullRequestFacts:
    """A merged pull request with what its metrics need: the team and week it counts for, and its times."""

    pull_request: PullRequest
    team_id: str | None  # None: it counts for no team
    week: date  # of the merge
    author_key: str
    is_ai_assisted: bool
    size_lines: int
    cycle_time_hours: float | None
    review_wait_hours: float | None
    deploy: "DeployFacts | None" = None  # the deploy that shipped it
    lead_time_hours: float | None = None
    is_split_flagged: bool = False


def _first_commit_at(pull_request: PullRequest) -> datetime | None:
    return min((commit.authored_at for commit in pull_request.commits), default=None)


class PullRequestMetrics:
    """Every merged pull request of the data with its facts, and the restore times of the failed deploys, grouped
    by the team-weeks they count for."""

    def __init__(self, data: "Landing", deploys: list["DeployFacts"]):
        self.data = data
        pull_requests = read_pull_requests(data)
        self.delivered = pull_requests is not None
        # services.csv: which service is built from which repository (its `repository`, else its own name)
        self.built_from = {(row["service"], row.get("repository") or row["service"]) for row in data.service_rows}
        rules = attribution_rules(data)
        self.pull_requests = [
            self._facts(pull_request, rules)
            for pull_request in pull_requests or []
            if pull_request.merged_at is not None
        ]
        self._flag_splitting()
        # Lead time: the first successful production deploy of a service built from the repository. Production
        # deploys are the deploy facts that are not failures (once per service, environment and commit, the
        # earliest); of those, status success (rolled_back did not ship the change).
        shipping = [fact for fact in deploys if not fact.is_failed and fact.deploy.status == "success"]
        for facts in self.pull_requests:
            self._ship(facts, shipping)
        self.restores = restore_times(deploys)

    def services_built_from(self, repository: str) -> set[str]:
        return {service for service, built_from in self.built_from if same_repository(repository, built_from)}

    def _facts(self, pull_request: PullRequest, rules: list[Rule]) -> PullRequestFacts:
        day = pull_request.merged_day
        engineer_id = self.data.resolve(pull_request.author)
        team_id = self.data.engineer_team(engineer_id, day)
        if team_id is None:
            # an author who is no engineer that day: the one team owning that day the services built from the
            # repository, else none
            owners = {
                self.data.service_team(service, day) for service in self.services_built_from(pull_request.repository)
            } - {None}
            team_id = owners.pop() if len(owners) == 1 else None
        first_commit_at = _first_commit_at(pull_request)
        merged_at = pull_request.merged_at
        return PullRequestFacts(
            pull_request,
            team_id,
            week_start(day),
            # Reading: an engineer under all their identities; an author who resolves to nobody under the author
            # as written, case aside (logins and emails ignore case)
            author_key=engineer_id or pull_request.author.lower(),
            is_ai_assisted=is_ai_assisted(pull_request, rules),
            size_lines=pull_request.additions + pull_request.deletions,
            cycle_time_hours=hours(first_commit_at, merged_at) if first_commit_at else None,
            review_wait_hours=(
                hours(pull_request.created_at, pull_request.first_review_at) if pull_request.first_review_at else None
            ),
        )

    def _flag_splitting(self) -> None:
        """pr_splitting: an author's merged pull requests of an ISO week, at least pr_splitting_min_prs_per_week
        of them with a median size of at most pr_splitting_max_median_lines, are all flagged."""
        by_author_week: dict[tuple[str, date], list[PullRequestFacts]] = defaultdict(list)
        for facts in self.pull_requests:
            by_author_week[(facts.author_key, facts.week)].append(facts)
        for group in by_author_week.values():
            median = percentile([facts.size_lines for facts in group], 0.5)
            if (
                len(group) >= self.data.vars["pr_splitting_min_prs_per_week"]
                and median is not None
                and median <= self.data.vars["pr_splitting_max_median_lines"]
            ):
                for facts in group:
                    facts.is_split_flagged = True

    def _ship(self, facts: PullRequestFacts, shipping: list["DeployFacts"]) -> None:
        """The deploy that shipped the pull request: of the successful production deploys of the services built
        from its repository, the first that deployed its merge commit (whenever: a deploy clock behind the merge
        still counts) or came at or after the merge; at one instant the merge commit's, then the first by id."""
        pull_request = facts.pull_request
        services = self.services_built_from(pull_request.repository)
        sha = (pull_request.merge_commit_sha or "").lower()
        merged_at = pull_request.merged_at
        candidates = [
            deploy
            for deploy in shipping
            if deploy.deploy.service in services
            and (deploy.deploy.commit_sha.lower() == sha or deploy.deploy.deployed_at >= merged_at)
        ]
        if not candidates:
            return
        facts.deploy = min(
            candidates,
            key=lambda deploy: (
                deploy.deploy.deployed_at,
                deploy.deploy.commit_sha.lower() != sha,
                deploy.deploy.deployment_id,
            ),
        )
        first_commit_at = _first_commit_at(pull_request)
        if first_commit_at is not None:
            facts.lead_time_hours = hours(first_commit_at, facts.deploy.deploy.deployed_at)

    # -- by team-week

    def counted(self, team_ids: Iterable[str], week: date) -> list[PullRequestFacts]:
        """The merged pull requests a group's week counts: of its teams, merged that week, not flagged."""
        teams = set(team_ids)
        return [
            facts
            for facts in self.pull_requests
            if facts.team_id in teams and facts.week == week and not facts.is_split_flagged
        ]

    def lead_times(self, team_ids: Iterable[str], week: date) -> list[float]:
        """Lead times placed in a group's week: shipped by a deploy of a service its teams owned, in that week."""
        teams = set(team_ids)
        return [
            facts.lead_time_hours
            for facts in self.pull_requests
            if facts.deploy is not None
            and facts.deploy.team_id in teams
            and facts.deploy.week == week
            and facts.lead_time_hours is not None
            and not facts.is_split_flagged
        ]

    def columns(self, team_ids: Iterable[str], week: date) -> dict:
        """The pull request and DORA columns of a team-week (one team) or an org- or company-week (its teams,
        percentiles pooled over their pull requests and failures, not taken of the teams' percentiles)."""
        team_ids = list(team_ids)
        counted = self.counted(team_ids, week)
        lead_times = self.lead_times(team_ids, week)
        restores = [
            restore for team_id, failed_week, restore in self.restores if team_id in team_ids and failed_week == week
        ]
        return {
            "merged_pull_requests": len(counted) if self.delivered else None,
            "ai_assisted_pr_share": ratio(sum(1 for facts in counted if facts.is_ai_assisted), len(counted)),
            "lead_time_hours_p50": percentile(lead_times, 0.5),
            "lead_time_hours_p90": percentile(lead_times, 0.9),
            "time_to_restore_hours_p50": percentile(restores, 0.5),
        }


def restore_times(deploys: list["DeployFacts"]) -> list[tuple[str | None, date, float]]:
    """(team, week, hours) of each restored failure: a failed or reverted production deploy, to the next
    production deploy of its service and environment that is neither failed nor reverted. Team and week are
    the failed deploy's.

    Reading: "next" is later in time; two deploys at one instant are taken in deployment_id order."""
    by_target: dict[tuple[str, str], list[DeployFacts]] = defaultdict(list)
    for fact in deploys:
        by_target[(fact.deploy.service, fact.deploy.environment)].append(fact)
    restored = []
    for facts in by_target.values():
        facts.sort(key=lambda fact: (fact.deploy.deployed_at, fact.deploy.deployment_id))
        for index, fact in enumerate(facts):
            if not (fact.is_failed or fact.is_reverted):
                continue
            good = next((later for later in facts[index + 1 :] if not later.is_failed and not later.is_reverted), None)
            if good is not None:
                restored.append((fact.team_id, fact.week, hours(fact.deploy.deployed_at, good.deploy.deployed_at)))
    return restored


def percentile(values: list[float], fraction: float) -> float | None:
    """The continuous percentile: linear interpolation between the two nearest ranks (percentile_cont)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# ---- mart_pull_requests_weekly -----------------------------------------------------------------


def mart_pull_requests_weekly(data: "Landing", metrics: PullRequestMetrics) -> list[dict]:
    """Team x week x AI-assisted or not: every team-week twice once the organisation delivers pull requests, none
    otherwise. The pull requests of the team and merge week (not flagged), lead time by merge week too."""
    if not metrics.delivered:
        return []
    rows = []
    for team_id in data.teams:
        for week in data.weeks:
            headcount = data.headcount(team_id, week)
            counted = metrics.counted([team_id], week)
            for assisted in (True, False):
                row = {
                    "team_id": team_id,
                    "week_start": week,
                    "is_ai_assisted": assisted,
                    "is_complete": data.is_week_complete(week),
                    "headcount": headcount,
                    "is_suppressed": headcount < data.vars["min_group_size"],
                }
                side = [facts for facts in counted if facts.is_ai_assisted == assisted]
                measures = {
                    "merged_pull_requests": len(side),
                    "deployed_pull_requests": sum(1 for facts in side if facts.deploy is not None),
                    "cycle_time_hours_p50": _median_of(side, "cycle_time_hours"),
                    "review_wait_hours_p50": _median_of(side, "review_wait_hours"),
                    "size_lines_p50": _median_of(side, "size_lines"),
                    "lead_time_hours_p50": _median_of(side, "lead_time_hours"),
                    "lead_time_hours_p90": percentile(_known(side, "lead_time_hours"), 0.9),
                }
                if row["is_suppressed"]:
                    measures = dict.fromkeys(measures)
                rows.append(row | measures)
    return rows


def _known(facts: list[PullRequestFacts], name: str) -> list[float]:
    return [value for item in facts if (value := getattr(item, name)) is not None]


def _median_of(facts: list[PullRequestFacts], name: str) -> float | None:
    return percentile(_known(facts, name), 0.5)
