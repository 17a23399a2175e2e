"""Pull requests moved into GitHub REST pages (list pull requests + list commits on a pull request), with the
`closed` webhook delivery of each beside them, where those formats say them exactly.

A REST item in the "get a pull request" shape carries everything of the generic record but first_review_at
(reviews are another endpoint), and the author as a GitHub login: so the pull requests that move are those
never reviewed whose author is a login (or a bot). Each one's `closed` webhook payload is written too, as the
webhook log of an organisation that also backfills through REST holds it: it carries no commit list and an
earlier updated_at (the moment it was closed), so the REST delivery, with its later updated_at, is the one that
counts and both landings count the same pull requests.
"""

from collections import defaultdict
from datetime import datetime

from orchestration.defs.ingest.connectors import generic
from orchestration.tools.demo.vendor.common import (
    PULLS_PAGE,
    Landing,
    _drop_lines,
    files_by_day,
    numeric_id,
    rfc3339,
    write_json,
    write_ndjson,
)


def convert_pull_requests(landing: Landing) -> None:
    moved: dict[str, list[dict]] = defaultdict(list)  # repository -> records
    for day, paths in files_by_day(landing.root / "pull_requests").items():
        payloads = []
        for path in paths:
            name, data = landing.relative(path), path.read_bytes()
            converted = set()
            for record in generic.parse_pull_requests(data, name, day).records:
                if record["first_review_at"] is None and record["author_type"] != "email":
                    moved[record["repository"]].append(record)
                    payloads.append(_webhook_payload(record))
                    converted.add(record["_source_line"])
            path.write_bytes(_drop_lines(data, converted))
        if payloads:
            write_ndjson(landing.root / "pull_requests" / "github_webhook" / f"pull_request_{day}.ndjson", payloads)
    folder = landing.root / "pull_requests" / "github_rest"
    for repository, records in sorted(moved.items()):
        records.sort(key=lambda record: record["created_at"], reverse=True)  # the list endpoint's default order
        stem = repository.replace("/", "_")
        for page, start in enumerate(range(0, len(records), PULLS_PAGE), start=1):
            items = [_pull(record, record["updated_at"]) for record in records[start : start + PULLS_PAGE]]
            write_json(folder / f"{stem}_pulls_closed_page_{page}.json", items)
        for record in records:
            commits = [_commit(repository, commit) for commit in record["commits"]]
            write_json(folder / f"{stem}_pull_{record['number']}_commits.json", commits)


def _user(login: str) -> dict:
    return {"login": login, "id": numeric_id(login), "type": "Bot" if login.endswith("[bot]") else "User"}


def _time(moment: datetime | None) -> str | None:
    return rfc3339(moment) if moment else None


def _pull(record: dict, updated_at: datetime) -> dict:
    """The "get a pull request" object (also a webhook's pull_request) of a generic record."""
    repository, number = record["repository"], record["number"]
    api = f"https://api.github.com/repos/{repository}"
    repo = {"name": repository.split("/")[1], "full_name": repository, "private": True}
    merged = record["merged_at"] is not None
    return {
        "url": f"{api}/pulls/{number}",
        "html_url": f"https://github.com/{repository}/pull/{number}",
        "number": number,
        "state": "closed",
        "title": record["title"],
        "user": _user(record["author"]),
        "labels": [{"name": label} for label in record["labels"]],
        "created_at": rfc3339(record["created_at"]),
        "updated_at": rfc3339(updated_at),
        "closed_at": _time(record["closed_at"]),
        "merged_at": _time(record["merged_at"]),
        "merge_commit_sha": record["merge_commit_sha"],
        "head": {
            "label": f"{repository.split('/')[0]}:{record['head_branch']}",
            "ref": record["head_branch"],
            "repo": repo,
        },
        "base": {
            "label": f"{repository.split('/')[0]}:{record['base_branch']}",
            "ref": record["base_branch"],
            "repo": repo,
        },
        "merged": merged,
        "commits": record["commit_count"],
        "additions": record["additions"],
        "deletions": record["deletions"],
        "changed_files": record["changed_files"],
    }


def _webhook_payload(record: dict) -> dict:
    pull = _pull(record, record["closed_at"])
    return {
        "action": "closed",
        "number": record["number"],
        "pull_request": pull,
        "repository": pull["base"]["repo"],
        "sender": pull["user"],
    }


def _commit(repository: str, commit: dict) -> dict:
    """A "list commits on a pull request" item: author is the linked GitHub account, null for an email."""
    author = commit["author"]
    linked = "@" not in author
    signature = {
        "name": author.split("@")[0],
        "email": f"{author}@users.noreply.github.com" if linked else author,
        "date": rfc3339(commit["authored_at"]),
    }
    return {
        "url": f"https://api.github.com/repos/{repository}/commits/{commit['sha']}",
        "sha": commit["sha"],
        "html_url": f"https://github.com/{repository}/commit/{commit['sha']}",
        "commit": {"author": signature, "committer": signature, "message": commit["message"]},
        "author": _user(author) if linked else None,
        "committer": _user(author) if linked else None,
    }
