"""The vendor-format registry: one landing folder per vendor format, and folder -> connector resolution."""

import pytest

from orchestration.defs.ingest.connectors.registry import SPEND_IN_USAGE, VENDOR_FORMATS, format_for
from orchestration.lib.canonical import ENTITY_SCHEMAS

VENDOR_FOLDERS = {
    "deployments/github_deployment_status": "deployments",
    "deployments/github_rest": "deployments",
    "deployments/github_workflow_run": "deployments",  # teams deploying from Actions without GitHub deployments
    "pull_requests/github_rest": "pull_requests",
    "pull_requests/github_webhook": "pull_requests",
    "licences/github_copilot_seats": "licence_grants",
    "licences/cursor_team_members": "licence_grants",
    "usage/github_copilot_users_1_day": "tool_activity",
    "usage/claude_code_analytics": "tool_activity",
    "usage/cursor_daily_usage": "tool_activity",
    "usage/amazon_q_user_activity": "tool_activity",
    "surveys/qualtrics": "survey_responses",
    "spend/cursor_usage_events": "spend",
}
# usage exports whose files the spend ingest reads a second time, for the cost they carry
SPEND_IN_USAGE_FOLDERS = {"usage/claude_code_analytics", "usage/github_copilot_users_1_day"}


def test_the_registry_holds_exactly_the_documented_vendor_folders():
    assert {folder: fmt.entity for folder, fmt in VENDOR_FORMATS.items()} == VENDOR_FOLDERS
    assert all(fmt.folder == folder and fmt.entity in ENTITY_SCHEMAS for folder, fmt in VENDOR_FORMATS.items())
    assert set(SPEND_IN_USAGE) == SPEND_IN_USAGE_FOLDERS <= set(VENDOR_FORMATS)
    assert all(fmt.folder == folder and fmt.entity == "spend" for folder, fmt in SPEND_IN_USAGE.items())


def test_a_folder_resolves_to_its_format():
    assert format_for("licences/github_copilot_seats/").folder == "licences/github_copilot_seats"
    assert format_for("./surveys/qualtrics").folder == "surveys/qualtrics"


def test_amazon_q_reports_are_found_at_any_depth():
    s3_key_folders = "AWSLogs/111122223333/QDeveloperLogs/by_user_analytic/us-east-1/2025/04/17/00"
    folder = f"usage/amazon_q_user_activity/{s3_key_folders}"
    assert format_for(folder).folder == "usage/amazon_q_user_activity"


@pytest.mark.parametrize("folder", ["usage/windsurf", "usage/cursor_daily_usage/older", "usage"])
def test_an_unknown_folder_names_the_supported_ones(folder):
    with pytest.raises(
        ValueError, match=rf"no vendor format reads landing/{folder}/: supported vendor folders are"
    ) as error:
        format_for(folder)
    assert "landing/usage/amazon_q_user_activity/" in str(error.value)


def test_per_file_formats_parse_each_file_of_a_folder(sample):
    fmt = format_for("licences/github_copilot_seats")
    results = fmt.parse_files({"a.json": sample("github_copilot_seats.json"), "b.json": b'{"seats": []}'})
    assert {name: parsed.records_read for name, parsed in results.items()} == {"a.json": 2, "b.json": 0}
    assert fmt.parse is not None and fmt.parse(b'{"seats": []}', "c.json").records_read == 0


def test_github_rest_is_read_a_folder_at_a_time(sample):
    fmt = format_for("deployments/github_rest")
    assert fmt.parse is None
    results = fmt.parse_files(
        {
            "list.json": sample("github_deployments_list.json"),
            "list_statuses.json": sample("github_deployment_statuses_list.json"),
        }
    )
    assert set(results) == {"list.json", "list_statuses.json"}


def test_github_rest_pull_requests_are_read_a_folder_at_a_time(sample):
    fmt = format_for("pull_requests/github_rest")
    assert fmt.parse is None
    results = fmt.parse_files(
        {
            "pulls.json": sample("github_pull_requests_list_closed.json"),
            "pull_1347_commits.json": sample("github_pull_1347_commits.json"),
        }
    )
    assert [record["has_commit_list"] for record in results["pulls.json"].records] == [True, False, False]
