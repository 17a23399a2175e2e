"""Pull requests written as generic contract v1: `pull_requests/YYYY-MM-DD.ndjson`, each in the file of the UTC day
it was merged (else closed), one file a day (empty without any), built column-wise like the other daily files."""

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.tools.demo.ndjson import json_lines, json_objects, string_array, write_lines
from orchestration.tools.demo.pull_request_text import (
    AI_LABEL,
    BASE_BRANCH,
    BRANCH_PREFIX,
    COPILOT_AGENT,
    DOCS_REPOSITORY,
    LABEL_SETS,
    PROSE_MENTIONS,
    REVERT_TITLE_PREFIX,
    SLUGS,
    SUBJECTS,
    TRAILERS,
    escaped,
    labels_json,
    repository_of,
)
from orchestration.tools.demo.pull_requests import REVERT, PullRequests
from orchestration.tools.demo.spec import DAY_SECONDS
from orchestration.tools.demo.world import World


def repositories(world: World) -> list[str]:
    """Repository names by PullRequests.repository: each service's, then the handbook."""
    return [repository_of(name) for name in world.services.name] + [DOCS_REPOSITORY]


def pr_ids(world: World, prs: PullRequests) -> np.ndarray:
    names = np.array(repositories(world), dtype=object)
    return names[prs.repository] + "#" + prs.number.astype(str).astype(object)


def _take(table: list[str], index: np.ndarray) -> pa.Array:
    return pa.array(table, pa.string()).take(pa.array(index))


def _join(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _people(world: World, person: np.ndarray, email: np.ndarray, bot: np.ndarray) -> pa.Array:
    """A person's identity as written: the GitHub login, the email where asked, the agent's login for its own."""
    people = world.people
    table = [*people.login, *people.email, COPILOT_AGENT]
    return _take(table, np.where(bot, 2 * people.count, np.where(email, people.count + person, person)))


def _messages(world: World, prs: PullRequests, owner: np.ndarray) -> pa.Array:
    """Commit messages (JSON-escaped): the subject, then the trailer of the tool that wrote it, if any; the
    Copilot agent's commits name the engineer who assigned it as co-author, as the agent does."""
    subjects = [escaped(text) for text in (*SUBJECTS, *PROSE_MENTIONS)]
    subject = np.where(prs.commit_subject >= 0, prs.commit_subject, len(SUBJECTS) - 1 - prs.commit_subject)
    width = max(len(variants) for variants in TRAILERS.values())
    trailers = [""]  # then each tool's variants, padded to `width`
    for tool in world.ref.tools:
        variants = TRAILERS.get(tool, ())
        trailers += [escaped(variants[v]) if v < len(variants) else "" for v in range(width)]
    trailer = np.where(prs.commit_trailer >= 0, 1 + np.maximum(prs.tool[owner], 0) * width + prs.commit_trailer, 0)
    people = world.people
    coauthors = [""] + [
        escaped(f"\n\nCo-authored-by: {people.full_name[p]} <{people.email[p]}>") for p in range(people.count)
    ]
    coauthor = np.where(prs.is_bot[owner], 1 + prs.author[owner], 0)
    return _join(_take(subjects, subject), _take(trailers, trailer), _take(coauthors, coauthor))


def _commits(world: World, prs: PullRequests, timestamps) -> pa.Array:
    """Each pull request's commits as a JSON array."""
    owner = np.repeat(np.arange(len(prs)), np.diff(prs.commit_start))
    objects = json_objects(
        [
            ("sha", pa.array(prs.commit_sha, pa.string()), True),
            ("authored_at", pa.array(timestamps(prs.commit_at)), True),
            ("author", _people(world, prs.author[owner], prs.commit_email, prs.is_bot[owner]), True),
            ("message", _messages(world, prs, owner), True),
        ]
    )
    listed = pa.ListArray.from_arrays(pa.array(prs.commit_start, pa.int32()), objects)
    return _join("[", pc.binary_join(listed, ","), "]")


def _branches(world: World, prs: PullRequests) -> pa.Array:
    slug = _take(list(SLUGS), prs.subject)
    prefix = np.array([world.people.login[p] + "/" for p in range(world.people.count)] + ["revert-"], dtype=object)
    owner = prefix[np.where(prs.kind == REVERT, len(prefix) - 1, prs.author)]
    agent = np.array([BRANCH_PREFIX.get(tool, "") for tool in world.ref.tools], dtype=object)[np.maximum(prs.tool, 0)]
    return _join(pa.array(np.where(prs.branch_prefixed | prs.is_bot, agent, owner), pa.string()), slug)


def _lines(world: World, prs: PullRequests) -> pa.Array:
    """One NDJSON line per pull request, keys in the contract's order."""
    cal = world.cal
    titles = [escaped(text) for text in SUBJECTS] + [escaped(f'{REVERT_TITLE_PREFIX}{text}"') for text in SUBJECTS]
    label_sets = [labels_json(labels) for labels in LABEL_SETS] + [
        labels_json((AI_LABEL, *labels)) for labels in LABEL_SETS
    ]
    merged = prs.merged
    return json_lines(
        [
            ("pr_id", pa.array(pr_ids(world, prs), pa.string()), True),
            ("repository", _take(repositories(world), prs.repository), True),
            ("number", string_array(prs.number), False),
            ("author", _people(world, prs.author, prs.email_author, prs.is_bot), True),
            ("title", _take(titles, prs.subject + np.where(prs.kind == REVERT, len(SUBJECTS), 0)), True),
            ("head_branch", _branches(world, prs), True),
            ("base_branch", pa.array(np.full(len(prs), BASE_BRANCH), pa.string()), True),
            ("created_at", pa.array(cal.timestamps(prs.created)), True),
            ("first_review_at", pa.array(cal.timestamps(prs.review), mask=prs.review < 0), True),
            ("merged_at", pa.array(cal.timestamps(prs.at), mask=~merged), True),
            ("closed_at", pa.array(cal.timestamps(prs.at)), True),
            ("merge_commit_sha", pa.array(prs.merge_sha, pa.string(), mask=~merged), True),
            ("additions", string_array(prs.lines - prs.deletions), False),
            ("deletions", string_array(prs.deletions), False),
            ("changed_files", string_array(prs.changed_files), False),
            ("labels", _take(label_sets, prs.labels + np.where(prs.ai_label, len(LABEL_SETS), 0)), False),
            ("commits", _commits(world, prs, cal.timestamps), False),
            ("updated_at", pa.array(cal.timestamps(prs.at + 1 + prs.number % 30)), True),
        ]
    )


WEEK = 7  # days of pull requests built into lines at once: the text of all of them at once is large


def write_pull_requests(landing: Path, world: World, prs: PullRequests) -> None:
    cal = world.cal
    order = np.argsort(prs.at, kind="stable")
    bounds = np.searchsorted(prs.at[order] // DAY_SECONDS, np.arange(cal.days + 1))
    folder = landing / "pull_requests"
    folder.mkdir(parents=True, exist_ok=True)
    for first in range(0, cal.days, WEEK):
        days = range(first, min(first + WEEK, cal.days))
        lines = _lines(world, prs.take(order[bounds[first] : bounds[days[-1] + 1]]))
        for day in days:
            with (folder / f"{cal.iso(day)}.ndjson").open("wb") as handle:
                start = bounds[day] - bounds[first]
                write_lines(handle, lines.slice(start, bounds[day + 1] - bounds[day]))
