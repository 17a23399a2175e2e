"""Usage moved into the vendors' user-day reports (Copilot, Claude Code, Cursor, Amazon Q) where they can
carry it exactly; the rest stays as generic events."""

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from orchestration.defs.ingest.connectors import generic
from orchestration.tools.demo.vendor.common import (
    AMAZON_Q_CELLS,
    AMAZON_Q_COLUMNS,
    AMAZON_Q_PART,
    AWS_ACCOUNT,
    AWS_REGION,
    CLAUDE_PAGE,
    ENTERPRISE_ID,
    ORGANIZATION_ID,
    VENDOR_USAGE,
    Landing,
    _drop_lines,
    epoch_millis,
    files_by_day,
    numeric_id,
    spread,
    write_json,
    write_ndjson,
)


@dataclass(frozen=True)
class _UsageDay:
    files: list[tuple[str, bytes]]  # (relative name, bytes) of the day's generic files
    parsed: generic.ParsedUsage


def convert_usage(landing: Landing) -> None:
    days = {
        day: _UsageDay(files, generic.parse_usage_events(files, day, landing.catalogue))
        for day, paths in files_by_day(landing.root / "usage").items()
        for files in [[(landing.relative(path), path.read_bytes()) for path in paths]]
    }
    bots = {
        identity.lower()
        for usage in days.values()
        for identity, peak in zip(
            usage.parsed.activity.column("identity").to_pylist(),
            usage.parsed.activity.column("peak_events_per_minute").to_pylist(),
            strict=True,
        )
        if peak is not None and peak > landing.bot_threshold
    }
    for day, usage in days.items():
        groups = _vendor_groups(usage.parsed.activity.to_pylist(), bots)
        for tool, write in USAGE_WRITERS.items():
            rows = sorted((identity, counts) for (identity, group_tool), counts in groups.items() if group_tool == tool)
            write(landing.root, day, rows)
        rejected = defaultdict(set)
        for reject in usage.parsed.rejects:
            rejected[reject.source_file].add(reject.source_line)
        for name, data in usage.files:
            drop = {
                number
                for number, line in enumerate(data.split(b"\n"), start=1)
                if line.strip() and number not in rejected[name] and _event_key(line) in groups
            }
            (landing.root / name).write_bytes(_drop_lines(data, drop))


def _event_key(line: bytes) -> tuple[str, str]:
    event = json.loads(line)
    return str(event["identity"]).strip(), str(event["tool"]).strip()


def _vendor_groups(activity: list[dict], bots: set[str]) -> dict[tuple[str, str], dict[str, int]]:
    """The (identity, tool) groups of one day a vendor format can carry exactly, with their counts."""
    groups: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    kinds: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in activity:
        key = (row["identity"], row["tool"])
        groups[key][row["activity_type"]] = row["activity_count"]
        kinds[key].add(row["identity_type"])
    return {
        key: counts
        for key, counts in groups.items()
        if key[1] in VENDOR_USAGE
        and key[0].lower() not in bots
        and kinds[key] == {VENDOR_USAGE[key[1]][0]}
        and set(counts) <= VENDOR_USAGE[key[1]][1]
        and not (key[1] == "amazon_q" and _active_only_by_accepting(counts))
    }


def _active_only_by_accepting(counts: dict[str, int]) -> bool:
    """Acceptances without an interaction: inactive in the generic contract, active in an Amazon Q report."""
    accepted = counts.get("suggestion_accepted", 0) + counts.get("code_edit_accepted", 0)
    return accepted > 0 and counts.get("interaction", 0) == 0


def _write_copilot(root: Path, day: date, rows: list[tuple[str, dict[str, int]]]) -> None:
    reports = [
        {
            "day": day.isoformat(),
            "enterprise_id": ENTERPRISE_ID,
            "user_id": numeric_id(login),
            "user_login": login,
            "user_initiated_interaction_count": counts.get("interaction", 0),
            "code_generation_activity_count": counts.get("suggestion_shown", 0),
            "code_acceptance_activity_count": counts.get("suggestion_accepted", 0),
            "loc_suggested_to_add_sum": 0,
            "loc_suggested_to_delete_sum": 0,
            "loc_added_sum": 0,
            "loc_deleted_sum": 0,
            "totals_by_ide": [],
            "totals_by_feature": [],
            "totals_by_language_feature": [],
            "totals_by_language_model": [],
            "totals_by_model_feature": [],
            "used_agent": False,
            "used_chat": counts.get("interaction", 0) > 0,
            "used_cli": False,
        }
        for login, counts in rows
    ]
    write_ndjson(
        root / "usage" / "github_copilot_users_1_day" / f"copilot_users_1_day_{day.isoformat()}.ndjson", reports
    )


def _write_claude_code(root: Path, day: date, rows: list[tuple[str, dict[str, int]]]) -> None:
    records = []
    for email, counts in rows:
        edit, multi_edit, write = spread(counts.get("code_edit_accepted", 0), (6, 3, 1))
        records.append(
            {
                "date": f"{day.isoformat()}T00:00:00Z",
                "actor": {"type": "user_actor", "email_address": email},
                "organization_id": ORGANIZATION_ID,
                "customer_type": "subscription",
                "terminal_type": "vscode",
                "core_metrics": {
                    "num_sessions": counts.get("interaction", 0),
                    "lines_of_code": {"added": 0, "removed": 0},
                    "commits_by_claude_code": counts.get("commit_created", 0),
                    "pull_requests_by_claude_code": counts.get("pull_request_created", 0),
                },
                "tool_actions": {
                    "edit_tool": {"accepted": edit, "rejected": 0},
                    "multi_edit_tool": {"accepted": multi_edit, "rejected": 0},
                    "write_tool": {"accepted": write, "rejected": 0},
                    "notebook_edit_tool": {"accepted": 0, "rejected": 0},
                },
                "model_breakdown": [],
            }
        )
    folder = root / "usage" / "claude_code_analytics"
    pages = [records[start : start + CLAUDE_PAGE] for start in range(0, len(records), CLAUDE_PAGE)] or [[]]
    for number, page in enumerate(pages, start=1):
        has_more = number < len(pages)
        write_json(
            folder / f"claude_code_{day.isoformat()}_page_{number}.json",
            {"data": page, "has_more": has_more, "next_page": f"page_{number + 1}" if has_more else None},
        )


def _write_cursor(root: Path, day: date, rows: list[tuple[str, dict[str, int]]]) -> None:
    records = []
    for email, counts in rows:
        requests = counts.get("interaction", 0)
        chat, composer, agent, cmdk = spread(requests, (4, 2, 1, 1))
        records.append(
            {
                "date": epoch_millis(day),
                "isActive": requests > 0,
                "totalLinesAdded": 0,
                "totalLinesDeleted": 0,
                "acceptedLinesAdded": 0,
                "acceptedLinesDeleted": 0,
                "totalApplies": counts.get("code_edit_accepted", 0),
                "totalAccepts": counts.get("code_edit_accepted", 0),
                "totalRejects": 0,
                "totalTabsShown": counts.get("suggestion_shown", 0),
                "totalTabsAccepted": counts.get("suggestion_accepted", 0),
                "composerRequests": composer,
                "chatRequests": chat,
                "agentRequests": agent,
                "cmdkUsages": cmdk,
                "subscriptionIncludedReqs": requests,
                "apiKeyReqs": 0,
                "usageBasedReqs": 0,
                "bugbotUsages": 0,
                "email": email,
            }
        )
    period = {"startDate": epoch_millis(day), "endDate": epoch_millis(day + timedelta(days=1)) - 1}
    write_json(
        root / "usage" / "cursor_daily_usage" / f"cursor_daily_usage_{day.isoformat()}.json",
        {"data": records, "period": period},
    )


def _write_amazon_q(root: Path, day: date, rows: list[tuple[str, dict[str, int]]]) -> None:
    folder = (
        root
        / "usage"
        / "amazon_q_user_activity"
        / f"AWSLogs/{AWS_ACCOUNT}/QDeveloperLogs/by_user_analytic/{AWS_REGION}/{day:%Y/%m/%d}/00"
    )
    folder.mkdir(parents=True, exist_ok=True)
    stamp = f"{day + timedelta(days=1):%Y%m%d}T001500Z"
    lines = []
    for user_id, counts in rows:
        cells = dict.fromkeys(AMAZON_Q_COLUMNS[2:], "")
        for activity_type, column in AMAZON_Q_CELLS.items():
            cells[column] = str(counts[activity_type]) if counts.get(activity_type) else ""
        lines.append(",".join([f'"{user_id}"', f"{day:%m-%d-%Y}", *cells.values()]) + "\n")
    parts = [lines[start : start + AMAZON_Q_PART] for start in range(0, len(lines), AMAZON_Q_PART)] or [[]]
    for number, part in enumerate(parts, start=1):
        (folder / f"{AWS_ACCOUNT}_by_user_analytic_{stamp}_part_{number}.csv").write_text(
            ",".join(AMAZON_Q_COLUMNS) + "\n" + "".join(part), encoding="utf-8"
        )


USAGE_WRITERS = {
    "github_copilot": _write_copilot,
    "claude_code": _write_claude_code,
    "cursor": _write_cursor,
    "amazon_q": _write_amazon_q,
}
