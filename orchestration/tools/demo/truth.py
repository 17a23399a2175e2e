"""The ground truth: exactly what each guard must flag (planted deploy spam, bots, redeploys, ...) and the
summary of what was generated, so precision and recall can be computed."""

from dataclasses import asdict

import numpy as np

from orchestration.tools.demo.adoption import grant_identity
from orchestration.tools.demo.deployments import Deployments
from orchestration.tools.demo.pull_request_files import pr_ids
from orchestration.tools.demo.pull_requests import SPLIT, PullRequests
from orchestration.tools.demo.spec import (
    BOT_EVENTS_PER_BURST,
    DAY_SECONDS,
    ENVIRONMENTS,
    NEVER,
    PLANTED_REDEPLOY,
    PRODUCTION,
    REVERT_COMMIT,
    ROLLED_BACK,
    SPAM,
    SUCCESS,
    ZERO_LINES,
)
from orchestration.tools.demo.world import World


def _deploy_truth(world: World, deployments: Deployments, previous_sha: np.ndarray) -> dict:
    cal, rows, ids = world.cal, deployments.rows, deployments.deployment_id
    id_by_rid = deployments.id_by_rid
    services = world.services.name
    day = rows.at // DAY_SECONDS

    def where(mask: np.ndarray) -> list[str]:
        return [str(value) for value in ids[mask]]

    spam = []
    for kind, rule in ((SPAM, "max_per_service_day"), (ZERO_LINES, "zero_line_deploys")):
        mask = rows.kind == kind
        if mask.any():
            first = np.flatnonzero(mask)[0]
            spam.append(
                {
                    "service": services[rows.service[first]],
                    "day": cal.iso(int(day[first])),
                    "rule": rule,
                    "deployment_ids": where(mask),
                }
            )
    redeploys = [
        {
            "deployment_id": str(ids[i]),
            "duplicate_of": str(id_by_rid[rows.duplicate_of[i]]),
            "service": services[rows.service[i]],
            "environment": ENVIRONMENTS[rows.environment[i]],
            "commit_sha": str(deployments.sha_hex[rows.sha[i]]),
            "day": cal.iso(int(day[i])),
            "planted": bool(rows.kind[i] == PLANTED_REDEPLOY),
        }
        for i in np.flatnonzero(rows.duplicate_of >= 0)
    ]
    reverted = [
        {"deployment_id": str(ids[i]), "how": "status_rolled_back", "reverted_by": None}
        for i in np.flatnonzero(rows.status == ROLLED_BACK)
    ]
    for i in np.flatnonzero(rows.kind == REVERT_COMMIT):
        reverted.append(
            {
                "deployment_id": str(id_by_rid[rows.rollback_of[i]]),
                "how": "rollback_of",
                "reverted_by": str(ids[i]),
            }
        )
    for target, by in previous_sha.T:
        reverted.append(
            {
                "deployment_id": str(id_by_rid[target]),
                "how": "previous_sha_redeploy",
                "reverted_by": str(id_by_rid[by]),
            }
        )
    order = {str(deployment_id): index for index, deployment_id in enumerate(ids)}
    for entry in reverted:
        i = order[entry["deployment_id"]]
        entry["service"] = services[rows.service[i]]
        entry["day"] = cal.iso(int(day[i]))
    reverted.sort(key=lambda entry: order[entry["deployment_id"]])
    return {"deploy_spam": spam, "redeploy": redeploys, "reverted": reverted}


def _spam_shares(world: World, deployments: Deployments) -> list[dict]:
    """Share of the org-week's production deploys that the deploy-spam guard flags (vs gaming_tolerance)."""
    cal, rows = world.cal, deployments.rows
    day = rows.at // DAY_SECONDS
    counted = (rows.environment == PRODUCTION) & np.isin(rows.status, (SUCCESS, ROLLED_BACK))
    counted &= rows.duplicate_of < 0
    owner = world.services.owner(np.arange(cal.days))[day, rows.service]
    org = world.teams.org[owner]
    week = day - cal.weekday(day)
    shares = []
    for kind in (SPAM, ZERO_LINES):
        flagged = np.flatnonzero(rows.kind == kind)
        if not len(flagged):
            continue
        key = (org == org[flagged[0]]) & (week == week[flagged[0]]) & counted
        shares.append(
            {
                "org": world.teams.org_names[org[flagged[0]]],
                "week_start": cal.iso(int(week[flagged[0]])),
                "flagged_production_deploys": len(flagged),
                "production_deploys": int(key.sum()),
                "share": round(len(flagged) / int(key.sum()), 4),
            }
        )
    return shares


def _lead_time_rules(world: World, deployments: Deployments, prs: PullRequests, ids: np.ndarray) -> list[dict]:
    """Per merged pull request, the deploy that shipped it: the first successful production deploy of the service
    built from its repository at or after the merge (status success and the commit's first deploy: rolled_back,
    failure, error and a redeploy of a commit deployed before do not count). Rule merge_commit when that deploy's
    commit_sha is the merge commit, after_merge otherwise, not_deployed without one, no_service when no service is
    built from the repository. With the first commit's authored_at and the deploy's deployed_at, each pull
    request's lead time follows."""
    rows, services = deployments.rows, world.services
    shipped = np.flatnonzero((rows.environment == PRODUCTION) & (rows.status == SUCCESS) & (rows.duplicate_of < 0))
    shipped = shipped[np.lexsort((rows.at[shipped], rows.service[shipped]))]
    span = int(max(rows.at.max(initial=0), prs.at.max(initial=0))) + 1  # orders (service, time) as one number
    merged = np.flatnonzero(prs.merged)[np.argsort(prs.at[prs.merged], kind="stable")]
    service = prs.repository[merged]
    first = np.searchsorted(rows.service[shipped] * span + rows.at[shipped], service * span + prs.at[merged])
    deploy = shipped[np.minimum(first, len(shipped) - 1)] if len(shipped) else np.zeros(len(merged), dtype=np.int64)
    deployed = (first < len(shipped)) & (rows.service[deploy] == service) if len(shipped) else first < 0
    same = deployments.sha_hex[rows.sha[deploy]] == prs.merge_sha[merged] if len(shipped) else deployed
    rule = np.where(deployed, np.where(same, "merge_commit", "after_merge"), "not_deployed")
    has_service = service < services.count
    rule = np.where(has_service, rule, "no_service")
    names = np.array([*services.name, None], dtype=object)[service]
    shipped_by = deployed & has_service
    deployment = np.where(shipped_by, deployments.deployment_id[deploy], None)
    deployed_at = np.where(shipped_by, world.cal.timestamps(rows.at[deploy]), None)
    first_commit_at = world.cal.timestamps(prs.commit_at[prs.commit_start[merged]])
    columns = (ids[merged], rule, names, deployment, first_commit_at, deployed_at)
    keys = ("pr_id", "rule", "service", "deployment_id", "first_commit_at", "deployed_at")
    return [dict(zip(keys, values, strict=True)) for values in zip(*(c.tolist() for c in columns), strict=True)]


def _pull_request_truth(world: World, deployments: Deployments, prs: PullRequests) -> dict:
    cal, people = world.cal, world.people
    ids = pr_ids(world, prs)
    week = prs.day() - cal.weekday(prs.day())

    def case(person: int, start: int, mask: np.ndarray, flagged: np.ndarray) -> list[dict]:
        """The planted case as its guard names it: by the first (smallest) of the identities the flagged pull
        requests of the person's week were sent under (an exporter writes the email for some, the login for
        the others)."""
        if person < 0:
            return []
        week_of_person = (prs.author == person) & prs.merged & ~prs.is_bot & (week == start)
        chosen = mask & week_of_person
        sent_as = [
            people.email[person] if by_email else people.login[person]
            for by_email in prs.email_author[flagged & week_of_person]
        ]
        return [{"identity": min(sent_as).lower(), "week_start": cal.iso(start), "pr_ids": sorted(ids[chosen])}]

    prose = np.zeros(len(prs), dtype=bool)
    owner = np.repeat(np.arange(len(prs)), np.diff(prs.commit_start))
    prose[owner[prs.commit_subject < 0]] = True
    ai = prs.tool >= 0
    return {
        # every merged pull request of the splitter's week is flagged; of the decorator's, the AI-marked ones
        "pr_splitting": case(prs.splitter, prs.split_week, prs.kind == SPLIT, np.ones(len(prs), dtype=bool)),
        "attribution_without_usage": case(prs.decorator, prs.decorated_week, ai, ai),
        "ai_assisted_pull_requests": [
            {"pr_id": str(ids[i]), "tool": world.ref.tools[prs.tool[i]], "bot_author": bool(prs.is_bot[i])}
            for i in np.flatnonzero(ai)
        ],
        "prose_mention_pr_ids": sorted(ids[prose & ~ai]),
        "pull_request_lead_time": _lead_time_rules(world, deployments, prs, ids),
    }


def build_truth(
    world: World,
    deployments: Deployments,
    previous_sha: np.ndarray,
    daily: list[dict],
    contractor_first_day: np.ndarray,
    staff_seen: list[int],
    stuffing: dict | None,
    pull_requests: PullRequests,
) -> dict:
    cal, ref, people, adoption, plan = world.cal, world.ref, world.people, world.adoption, world.plan
    deploys = _deploy_truth(world, deployments, previous_sha)
    spec = asdict(world.spec)
    spec["start"] = world.spec.start.isoformat()
    unattributed = [
        {
            "identity": world.contractors.identity[c].lower(),
            "first_day": cal.iso(int(contractor_first_day[c])),
            "tool": ref.tools[world.contractors.tool[c]],
        }
        for c in np.argsort(contractor_first_day, kind="stable")
        if contractor_first_day[c] < NEVER
    ]
    bots, padding, bot_shares = [], [], []
    if plan is not None:
        bot_identity = people.email[plan.bot_person].lower()
        identity_type = ref.identity_types[plan.bot_tool]
        if identity_type == "login":
            bot_identity = people.login[plan.bot_person].lower()
        elif identity_type == "vendor_id":
            bot_identity = adoption.vendor_id[plan.bot_person].lower()
        bots.append(
            {
                "identity": bot_identity,
                "first_day": cal.iso(0),
                "tool": ref.tools[plan.bot_tool],
                "event_type": ref.activity_types[plan.bot_event_type],
                "burst_days": [cal.iso(day) for day in plan.bot_days],
                "value_events_per_burst_minute": BOT_EVENTS_PER_BURST,
            }
        )
        bot_shares = [
            {
                "day": entry["day"],
                "flagged_value_events": entry["bot_value_events"],
                "value_events": entry["value_events"],
                "share": round(entry["bot_value_events"] / max(entry["value_events"], 1), 4),
            }
            for entry in daily
            if entry["day"] in {cal.iso(day) for day in plan.bot_days}
        ]
        padding.append(
            {
                "tool": ref.tools[plan.padding_tool],
                "day": cal.iso(plan.padding_day),
                "identities": sorted(
                    grant_identity(ref, people, adoption, int(p), plan.padding_tool) for p in plan.padding_people
                ),
            }
        )
    never_person, never_tool = np.nonzero(adoption.grant_kind == 1)
    flagged = sorted(id for case in deploys["deploy_spam"] for id in case["deployment_ids"])
    return {
        "contract": "generic v1",
        "spec": spec,
        "date_range": {"start": cal.iso(0), "end": cal.iso(cal.days - 1)},
        "deploy_spam": deploys["deploy_spam"],
        "redeploy": deploys["redeploy"],
        "reverted": deploys["reverted"],
        "bot_activity": bots,
        "unattributed_identity": unattributed,
        "licence_padding": padding,
        "survey_stuffing": [stuffing] if stuffing else [],
        "flagged_deployment_ids": flagged,
        "duplicate_deployment_ids": [entry["deployment_id"] for entry in deploys["redeploy"]],
        "reverted_deployment_ids": [entry["deployment_id"] for entry in deploys["reverted"]],
        "bot_identities": [bot["identity"] for bot in bots],
        "non_engineer_identities": sorted({people.email[p].lower() for p in staff_seen}),
        "never_used_grants": sorted(
            (
                {
                    "identity": grant_identity(ref, people, adoption, int(p), int(t)),
                    "tool": ref.tools[t],
                    "day": cal.iso(int(adoption.grant_day[p, t])),
                }
                for p, t in zip(never_person, never_tool, strict=True)
            ),
            key=lambda grant: (grant["day"], grant["tool"], grant["identity"]),
        ),
        "service_transfers": [
            {
                "service": world.services.name[s],
                "from_team_id": world.teams.team_id[world.services.team0[s]],
                "to_team_id": world.teams.team_id[world.services.team1[s]],
                "day": cal.iso(int(world.services.transfer_day[s])),
            }
            for s in np.flatnonzero(world.services.transfer_day < NEVER)
        ],
        "gaming_shares": {"deploy_spam": _spam_shares(world, deployments), "bot_activity": bot_shares},
        "usage_days": daily,
        **_pull_request_truth(world, deployments, pull_requests),
    }
