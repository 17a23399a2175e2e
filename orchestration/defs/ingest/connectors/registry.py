"""Which connector reads which landing folder: the table of vendor folders as code.

The folder, never a guess from content, says which connector reads a file. Keys are folders
relative to landing/. Ingest reads a folder's files of a partition with
`format_for(folder).parse_files({file name: bytes})`, which returns one `Parsed` per file; formats
read one file at a time also expose `parse(data, source_file)`. GitHub REST deployments need their
statuses files beside them, so that format has only `parse_files`.

`deployments/github_workflow_run/` (GitHub Actions `workflow_run` completed events of pipelines that
deploy to production) reads deployments of teams that deploy from CI rather than through GitHub's
deployments API.

Spend comes from its own vendor folder (`spend/cursor_usage_events/`, Cursor's filtered usage events) and from
the usage exports that carry it: the spend ingest reads the files of `usage/claude_code_analytics/`
(model_breakdown[].estimated_cost) and `usage/github_copilot_users_1_day/` (ai_credits_used) a second time with
their spend parsers (`SPEND_IN_USAGE`), so one export gives both its activity and its cost.

Pull requests come from GitHub REST pages (`pull_requests/github_rest/`: "list pull requests" with "list commits on
a pull request" pages beside them, so read a folder at a time too) and from `pull_request` webhook payloads
(`pull_requests/github_webhook/`, which carry no commit list).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

from orchestration.defs.ingest.connectors import (
    amazon_q_user_activity,
    claude_code_analytics,
    cursor_daily_usage,
    cursor_team_members,
    cursor_usage_events,
    github_copilot_seats,
    github_copilot_users_1_day,
    github_deployment_status,
    github_pull_request_webhook,
    github_rest,
    github_rest_pull_requests,
    github_workflow_run,
    qualtrics,
)
from orchestration.lib.contracts.records import Parsed

FileParser = Callable[[bytes, str], Parsed]
FilesParser = Callable[[Mapping[str, bytes]], dict[str, Parsed]]


@dataclass(frozen=True)
class VendorFormat:
    folder: str  # relative to landing/
    entity: str  # an ENTITY_SCHEMAS key
    description: str
    parse_files: FilesParser  # {file name: bytes} -> {file name: Parsed}
    parse: FileParser | None = None  # one file at a time, when the format allows it
    any_depth: bool = False  # files may sit in sub-folders (e.g. an S3 key layout)


def _each_file(parse: FileParser) -> FilesParser:
    def parse_files(files: Mapping[str, bytes]) -> dict[str, Parsed]:
        return {name: parse(data, name) for name, data in files.items()}

    return parse_files


def _file_format(folder: str, entity: str, description: str, parse: FileParser, **options) -> VendorFormat:
    return VendorFormat(folder, entity, description, _each_file(parse), parse, **options)


VENDOR_FORMATS: dict[str, VendorFormat] = {
    fmt.folder: fmt
    for fmt in (
        _file_format(
            "deployments/github_deployment_status",
            "deployments",
            "GitHub deployment_status webhook payloads (JSON or NDJSON)",
            github_deployment_status.parse,
        ),
        VendorFormat(
            "deployments/github_rest",
            "deployments",
            'GitHub REST "list deployments" (`sha` or newer `commit_sha`) and "list deployment statuses" '
            'responses (statuses files have "statuses" in their name)',
            github_rest.parse_files,
        ),
        _file_format(
            "deployments/github_workflow_run",
            "deployments",
            "GitHub Actions workflow_run completed events of pipelines that deploy to production",
            github_workflow_run.parse,
        ),
        VendorFormat(
            "pull_requests/github_rest",
            "pull_requests",
            'GitHub REST "list pull requests" pages (state=closed) and "list commits on a pull request" pages '
            '(commits files are named with the pull request number before "commits", e.g. pull_1347_commits.json)',
            github_rest_pull_requests.parse_files,
        ),
        _file_format(
            "pull_requests/github_webhook",
            "pull_requests",
            "GitHub pull_request webhook payloads, closed events (JSON or NDJSON; no commit list)",
            github_pull_request_webhook.parse,
        ),
        _file_format(
            "licences/github_copilot_seats",
            "licence_grants",
            "GitHub Copilot seat assignment pages",
            github_copilot_seats.parse,
        ),
        _file_format(
            "licences/cursor_team_members",
            "licence_grants",
            "Cursor team members (a snapshot; its date in the file name)",
            cursor_team_members.parse,
        ),
        _file_format(
            "usage/github_copilot_users_1_day",
            "tool_activity",
            "GitHub Copilot per-user daily usage reports (NDJSON)",
            github_copilot_users_1_day.parse,
        ),
        _file_format(
            "usage/claude_code_analytics",
            "tool_activity",
            "Claude Code analytics pages",
            claude_code_analytics.parse,
        ),
        _file_format(
            "usage/cursor_daily_usage",
            "tool_activity",
            "Cursor daily usage data",
            cursor_daily_usage.parse,
        ),
        _file_format(
            "usage/amazon_q_user_activity",
            "tool_activity",
            "Amazon Q Developer user activity CSV, at any depth (S3 key layout)",
            amazon_q_user_activity.parse,
            any_depth=True,
        ),
        _file_format(
            "spend/cursor_usage_events",
            "spend",
            "Cursor filtered usage events pages (usage-based cost in cents)",
            cursor_usage_events.parse,
        ),
        _file_format(
            "surveys/qualtrics",
            "survey_responses",
            "Qualtrics CSV exports",
            qualtrics.parse,
        ),
    )
}


# usage formats whose files also carry spend: folder -> the format that reads their spend
SPEND_IN_USAGE: dict[str, VendorFormat] = {
    fmt.folder: fmt
    for fmt in (
        _file_format(
            "usage/claude_code_analytics",
            "spend",
            "Claude Code analytics pages: model_breakdown[].estimated_cost (cents)",
            claude_code_analytics.parse_spend,
        ),
        _file_format(
            "usage/github_copilot_users_1_day",
            "spend",
            "GitHub Copilot per-user daily usage reports: ai_credits_used",
            github_copilot_users_1_day.parse_spend,
        ),
    )
}


def format_for(relative_folder: str) -> VendorFormat:
    """The vendor format of a folder relative to landing/ (a sub-folder of a format read at any
    depth resolves to that format); ValueError naming the supported folders otherwise."""
    path = PurePosixPath(relative_folder.replace("\\", "/"))
    folder = "/".join(part for part in path.parts if part not in ("/", "."))
    if folder in VENDOR_FORMATS:
        return VENDOR_FORMATS[folder]
    for key, fmt in VENDOR_FORMATS.items():
        if fmt.any_depth and folder.startswith(key + "/"):
            return fmt
    supported = ", ".join(f"landing/{key}/" for key in VENDOR_FORMATS)
    raise ValueError(f"no vendor format reads landing/{folder}/: supported vendor folders are {supported}")
