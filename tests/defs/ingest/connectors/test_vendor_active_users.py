"""Each usage connector's active users are the vendor's own active users.

The warehouse counts an engineer active on a day when they have an activity type that
seeds/activity_types.csv marks is_active. For each usage format, an export is built from the sample
with one user per kind of metric, each user's only activity being that metric (every other counter
zero), over two days with the metrics rotated between users. The distinct identities with an active
activity type after parsing must be, day by day, the vendor's active users computed straight from
the export rows by the vendor's definition:
- GitHub Copilot: user_initiated_interaction_count > 0;
- Claude Code: num_sessions > 0, user actors (API keys are not users);
- Cursor: isActive;
- Amazon Q: any user-initiated metric > 0 (USER_INITIATED below), inline acceptances included.
"""

import copy
import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime

from orchestration.defs.ingest.connectors import (
    amazon_q_user_activity,
    claude_code_analytics,
    cursor_daily_usage,
    github_copilot_users_1_day,
)
from orchestration.lib.workspace import SEEDS_DIR

DAYS = (date(2026, 3, 2), date(2026, 3, 3))


def active_types() -> set[str]:
    with (SEEDS_DIR / "activity_types.csv").open(newline="") as seed:
        return {row["activity_type"] for row in csv.DictReader(seed) if row["is_active"].strip().lower() == "true"}


def active_identities(records: Iterable[dict], identity_type: str) -> dict[date, set[str]]:
    """Per day, the identities the warehouse counts active: an is_active activity type with a count."""
    active = active_types()
    days: dict[date, set[str]] = defaultdict(set)
    for record in records:
        if record["identity_type"] == identity_type and record["activity_type"] in active and record["activity_count"]:
            days[record["activity_date"]].add(record["identity"])
    return dict(days)


def number_paths(value: object, path: tuple = ()) -> Iterator[tuple]:
    """The paths of every integer in a JSON record (its counters, breakdowns included)."""
    if isinstance(value, dict | list):
        children = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in children:
            yield from number_paths(child, (*path, key))
    elif isinstance(value, int) and not isinstance(value, bool):
        yield path


def with_only(template: dict, metrics: list[tuple], metric: tuple | None, amount: int = 3) -> dict:
    """The template with every metric zero except `metric`."""
    record = copy.deepcopy(template)
    for path in metrics:
        parent = record
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = amount if path == metric else 0
    return record


def one_metric_each(metrics: list) -> Iterator[tuple[date, int, object]]:
    """(day, user number, the user's only metric): every metric on each day, rotated between users,
    and one more user with no activity at all."""
    for shift, day in enumerate(DAYS):
        for user in range(len(metrics) + 1):
            slot = (user + shift) % (len(metrics) + 1)
            yield day, user, metrics[slot] if slot < len(metrics) else None


def test_copilot_active_users_are_those_with_a_user_initiated_interaction(sample):
    template = json.loads(sample("github_copilot_usage_metrics_users_1_day.ndjson"))
    metrics = [path for path in number_paths(template) if path not in {("user_id",), ("entity_id_partition",)}]
    rows = [
        {**with_only(template, metrics, metric), "day": day.isoformat(), "user_login": f"user-{user}"}
        for day, user, metric in one_metric_each(metrics)
    ]
    vendor: dict[date, set[str]] = defaultdict(set)
    for row in rows:
        if row["user_initiated_interaction_count"] > 0:
            vendor[date.fromisoformat(row["day"])].add(row["user_login"])

    data = "".join(json.dumps(row) + "\n" for row in rows).encode()
    parsed = github_copilot_users_1_day.parse(data, "usage/github_copilot_users_1_day/users.ndjson")
    assert parsed.rejects == [] and parsed.records_read == len(rows)
    assert active_identities(parsed.records, "login") == dict(vendor)
    assert all(len(users) == 1 for users in vendor.values())  # only the interaction counter makes one active


def test_claude_code_active_users_are_user_actors_with_a_session(sample):
    template = json.loads(sample("claude_code_analytics.json"))["data"][0]
    metrics = list(number_paths(template))
    rows = []
    for day, user, metric in one_metric_each(metrics):
        for actor in ({"type": "user_actor", "email_address": f"user-{user}@example.com"}, {"type": "api_actor"}):
            if actor["type"] == "api_actor":
                actor["api_key_name"] = f"ci-key-{user}"
            rows.append({**with_only(template, metrics, metric), "date": f"{day}T00:00:00Z", "actor": actor})
    vendor: dict[date, set[str]] = defaultdict(set)
    for row in rows:
        if row["actor"]["type"] == "user_actor" and row["core_metrics"]["num_sessions"] > 0:
            vendor[datetime.fromisoformat(row["date"]).astimezone(UTC).date()].add(row["actor"]["email_address"])

    data = json.dumps({"data": rows, "has_more": False, "next_page": None}).encode()
    parsed = claude_code_analytics.parse(data, "usage/claude_code_analytics/page_1.json")
    assert parsed.rejects == [] and parsed.records_read == len(rows)
    assert active_identities(parsed.records, "email") == dict(vendor)
    assert all(len(users) == 1 for users in vendor.values())


def test_cursor_active_users_are_those_cursor_marks_active(sample):
    template = json.loads(sample("cursor_daily_usage_data.json"))["data"][0]
    metrics = [path for path in number_paths(template) if path != ("date",)]
    rows = []
    for day, user, metric in one_metric_each(metrics):
        millis = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)
        for is_active in (True, False):  # Cursor's flag decides, whatever the counters say
            email = f"user-{user}-{'active' if is_active else 'inactive'}@example.com"
            rows.append({**with_only(template, metrics, metric), "date": millis, "isActive": is_active, "email": email})
    vendor: dict[date, set[str]] = defaultdict(set)
    for row in rows:
        if row["isActive"]:
            vendor[datetime.fromtimestamp(row["date"] / 1000, UTC).date()].add(row["email"])

    data = json.dumps({"data": rows}).encode()
    parsed = cursor_daily_usage.parse(data, "usage/cursor_daily_usage/daily_usage.json")
    assert parsed.rejects == [] and parsed.records_read == len(rows)
    assert active_identities(parsed.records, "email") == dict(vendor)


# Every metric of the Amazon Q user activity report, and whether it counts something the user did (an
# event of the user's own: a prompt or command, or acting on what Amazon Q offered) or not (what Amazon Q
# showed or ran unasked, and the sizes of outputs: lines, files, tests).
USER_INITIATED = {
    "Chat_AICodeLines": False,
    "Chat_MessagesInteracted": True,
    "Chat_MessagesSent": True,
    "CodeFix_AcceptanceEventCount": True,
    "CodeFix_AcceptedLines": False,
    "CodeFix_GeneratedLines": False,
    "CodeFix_GenerationEventCount": False,
    "CodeReview_FailedEventCount": False,
    "CodeReview_FindingsCount": False,
    "CodeReview_SucceededEventCount": False,
    "Dev_AcceptanceEventCount": True,
    "Dev_AcceptedLines": False,
    "Dev_GeneratedLines": False,
    "Dev_GenerationEventCount": True,
    "DocGeneration_AcceptedFileUpdates": False,
    "DocGeneration_AcceptedFilesCreations": False,
    "DocGeneration_AcceptedLineAdditions": False,
    "DocGeneration_AcceptedLineUpdates": False,
    "DocGeneration_EventCount": True,
    "DocGeneration_RejectedFileCreations": False,
    "DocGeneration_RejectedFileUpdates": False,
    "DocGeneration_RejectedLineAdditions": False,
    "DocGeneration_RejectedLineUpdates": False,
    "InlineChat_AcceptanceEventCount": True,
    "InlineChat_AcceptedLineAdditions": False,
    "InlineChat_AcceptedLineDeletions": False,
    "InlineChat_DismissalEventCount": True,
    "InlineChat_DismissedLineAdditions": False,
    "InlineChat_DismissedLineDeletions": False,
    "InlineChat_RejectedLineAdditions": False,
    "InlineChat_RejectedLineDeletions": False,
    "InlineChat_RejectionEventCount": True,
    "InlineChat_TotalEventCount": True,
    "Inline_AICodeLines": False,
    "Inline_AcceptanceCount": True,
    "Inline_SuggestionsCount": False,
    "TestGeneration_AcceptedLines": False,
    "TestGeneration_AcceptedTests": False,
    "TestGeneration_EventCount": True,
    "TestGeneration_GeneratedLines": False,
    "TestGeneration_GeneratedTests": False,
    "Transformation_EventCount": True,
    "Transformation_LinesGenerated": False,
    "Transformation_LinesIngested": False,
}


def test_amazon_q_active_users_are_those_with_any_user_initiated_metric(sample):
    header = next(csv.reader(io.StringIO(sample("amazon_q_user_activity.csv").decode())))
    metrics = header[2:]
    assert set(metrics) == set(USER_INITIATED)  # every column of the sample is classified
    rows = []
    for day, user, metric in one_metric_each(metrics):
        cells = {column: "3" if column == metric else "" for column in metrics}  # empty cells mean 0
        rows.append({"UserId": f"user-{user}", "Date": f"{day:%m-%d-%Y}", **cells})
    vendor: dict[date, set[str]] = defaultdict(set)
    for row in rows:
        if any(row[column] and int(row[column]) > 0 for column in metrics if USER_INITIATED[column]):
            vendor[datetime.strptime(row["Date"], "%m-%d-%Y").date()].add(row["UserId"])

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, quoting=csv.QUOTE_NONE, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    parsed = amazon_q_user_activity.parse(out.getvalue().encode(), "usage/amazon_q_user_activity/2026/03/03/00/q.csv")
    assert parsed.rejects == [] and parsed.records_read == len(rows)
    assert active_identities(parsed.records, "vendor_id") == dict(vendor)
    assert all(len(users) == sum(USER_INITIATED.values()) for users in vendor.values())
