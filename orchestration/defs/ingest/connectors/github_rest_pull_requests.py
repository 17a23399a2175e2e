"""GitHub REST "list pull requests" pages (state=closed) with "list commits on a pull request" pages -> pull requests.

Folder: landing/pull_requests/github_rest/, read a folder at a time (commits pair with their pull requests).
- A pull requests file is the JSON array `GET /repos/{owner}/{repo}/pulls?state=closed` returns (one page per
  file). Items of "get a pull request" (`GET .../pulls/{n}`) have the same shape plus additions, deletions,
  changed_files and commits, and may be listed the same way.
- A commits file is the JSON array `GET /repos/{owner}/{repo}/pulls/{n}/commits` returns. Its name holds "commits"
  and, before it, the pull request's number: `pull_1347_commits.json`, `octo-hello_1347_commits_page_2.json`. A
  commit item does not name its pull request, so the name does; its repository is read from the item's `url`
  (`/repos/{owner}/{repo}/commits/{sha}`) or `html_url`. A commits file whose name holds no number cannot be read.

Pull request fields (from each list item):
- repository = base.repo.full_name (head.repo is the fork a pull request may come from), falling back to the
  `url` /repos/{owner}/{repo}/pulls/{number}; number = number; pr_id = "<repository>#<number>"
- author = user.login; author_type = bot when user.type is "Bot" (dependabot[bot], GitHub Apps, coding agents),
  login otherwise: a bot's pull request keeps its bot login, never a person's
- title = title; head_branch = head.ref; base_branch = base.ref
- created_at, updated_at, closed_at, merged_at (UTC); merged_at is null for a pull request closed unmerged
- merge_commit_sha: only when merged_at is set. Unmerged, GitHub still fills it with a test merge commit that never
  reached the base branch, so it is dropped (null)
- additions, deletions, changed_files: absent from the list endpoint, so null (never 0); taken when the item
  carries them (the single-pull shape)
- labels = labels[].name
- first_review_at: null (reviews are another endpoint, not read)
- items with state "open" (a list fetched with state=all) are read without a record.
Commit fields (each commits page item): sha = sha; authored_at = commit.author.date (the git author date, which a
rebase keeps: it may precede the pull request); author = author.login when GitHub linked the commit to an account,
else commit.author.email; message = commit.message (trailers such as Co-authored-by included).
- has_commit_list is true when a commits page of the pull request was given, and commit_count the pull request's
  `commits` when the item has it, else the number of distinct commits listed (the endpoint lists at most 250).
- A pull request without a commits page is kept, has_commit_list false: its lead time is unknown, not zero.
- A commit of a pull request in no list given with it is quarantined in its commits file, unless that pull request
  is listed open (then it is read without a record).
`records_read` of a list file counts its items (records + rejects + open pull requests); of a commits file its
commits, which become part of their pull request's record, not records of their own.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

from orchestration.defs.ingest.connectors._common import (
    Item,
    RecordError,
    array_items,
    describe,
    is_present,
    lookup,
    optional_text,
    require_text,
    require_timestamp,
)
from orchestration.defs.ingest.connectors._pull_requests import distinct, github_pull_request
from orchestration.lib.contracts.records import Parsed, Reject, UnreadableFile

EXPECTED_PULLS = 'a GitHub REST "list pull requests" response (a JSON array of pull requests)'
EXPECTED_COMMITS = (
    'a GitHub REST "list commits on a pull request" response (a JSON array of commits) in a file named with its '
    'pull request number before "commits", e.g. pull_1347_commits.json'
)
_NUMBER_BEFORE_COMMITS = re.compile(r"(\d+)\D*commits", re.IGNORECASE)
_COMMIT_URL = re.compile(r"/repos/([^/]+/[^/]+)/commits/[^/]+/?$")
_COMMIT_HTML_URL = re.compile(r"github\.com/([^/]+/[^/]+)/commit/[^/]+/?$")


@dataclass(frozen=True)
class _Commit:
    file: str
    item: Item
    number: int
    repository: str | None  # None when the item has no url to read it from
    commit: dict


def is_commits_file(name: str) -> bool:
    return "commits" in PurePosixPath(name.replace("\\", "/")).name.lower()


def parse_files(files: Mapping[str, bytes]) -> dict[str, Parsed]:
    """One Parsed per file: pull requests lists carry the records, commits pages fill in their commits."""
    results: dict[str, Parsed] = {}
    commits: list[_Commit] = []
    for name, data in files.items():
        if is_commits_file(name):
            results[name], found = _commits_file(name, data)
            commits.extend(found)

    used: set[int] = set()
    open_keys: set[tuple[str, int]] = set()
    for name, data in files.items():
        if is_commits_file(name):
            continue
        items = array_items(data, name, EXPECTED_PULLS)
        parsed = Parsed(entity="pull_requests", records_read=len(items))
        for item in items:
            try:
                record = github_pull_request(item.value)
            except RecordError as error:
                parsed.rejects.append(Reject(name, item.position, f"{error}; export the pull request again", item.raw))
                continue
            if record is None:
                open_keys.update(_keys(item.value))
                continue
            mine = [index for index, found in enumerate(commits) if _belongs(found, record)]
            used.update(mine)
            record = _with_commits(record, [commits[index] for index in mine])
            parsed.records.append({**record, "_source_line": item.position})
        results[name] = parsed

    for index, found in enumerate(commits):
        if index in used or any(_matches(found, key) for key in open_keys):
            continue
        results[found.file].rejects.append(
            Reject(
                found.file,
                found.item.position,
                f"commit of pull request {found.repository or ''}#{found.number}, which is in no pull requests list "
                "given with it: expected its pull request in a list file of the same folder (fetch the closed pull "
                "requests page that holds it, or rename the commits file to the right number)",
                found.item.raw,
            )
        )
    return results


def _commits_file(name: str, data: bytes) -> tuple[Parsed, list[_Commit]]:
    match = _NUMBER_BEFORE_COMMITS.search(PurePosixPath(name.replace("\\", "/")).name)
    if match is None:
        raise UnreadableFile(name, EXPECTED_COMMITS, 'no pull request number before "commits" in the file name')
    number = int(match.group(1))
    items = array_items(data, name, EXPECTED_COMMITS)
    parsed = Parsed(entity="pull_requests", records_read=len(items))
    found = []
    for item in items:
        try:
            repository, commit = _commit(item.value)
        except RecordError as error:
            parsed.rejects.append(Reject(name, item.position, f"{error}; export the commits page again", item.raw))
            continue
        commit = {**commit, "_source_file": name, "_source_line": item.position}
        found.append(_Commit(name, item, number, repository, commit))
    return parsed, found


def _commit(value: object) -> tuple[str | None, dict]:
    if not isinstance(value, dict):
        raise RecordError(f"expected a commit (a JSON object), got {describe(value)}")
    message = lookup(value, "commit.message")
    if not isinstance(message, str):
        raise RecordError(f"expected commit.message (a string), got {describe(message)}")
    author = optional_text(value, "author.login") or require_text(value, "commit.author.email")
    commit = {
        "sha": require_text(value, "sha"),
        "authored_at": require_timestamp(value, "commit.author.date"),
        "author": author,
        "message": message,
    }
    return _commit_repository(value), commit


def _commit_repository(value: dict) -> str | None:
    for key, pattern in (("url", _COMMIT_URL), ("html_url", _COMMIT_HTML_URL)):
        url = value.get(key)
        if isinstance(url, str) and (match := pattern.search(url)):
            return match.group(1)
    return None


def _belongs(found: _Commit, record: dict) -> bool:
    return _matches(found, (record["repository"].lower(), record["number"]))


def _matches(found: _Commit, key: tuple[str, int]) -> bool:
    repository, number = key
    return found.number == number and (found.repository is None or found.repository.lower() == repository)


def _keys(value: object) -> set[tuple[str, int]]:
    """(repository lower-cased, number) of an open pull request item, as far as it can be read."""
    repository = lookup(value, "base.repo.full_name")
    number = lookup(value, "number")
    if isinstance(repository, str) and isinstance(number, int) and not isinstance(number, bool):
        return {(repository.lower(), number)}
    return set()


def _with_commits(record: dict, found: list[_Commit]) -> dict:
    if not found:
        return record
    commits = distinct([item.commit for item in found], key=lambda commit: commit["sha"])
    return {
        **record,
        "commits": commits,
        "has_commit_list": True,
        "commit_count": record["commit_count"] if is_present(record["commit_count"]) else len(commits),
    }
