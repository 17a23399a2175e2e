"""Pull requests through the real ingest assets: generic and vendor files land in the partition of the day each
pull request was merged or closed, with its commits and labels in their own tables; rejects quarantined with the
counts; a landing without pull requests is normal."""

import json
from pathlib import Path

import pyarrow.parquet as pq

from tests.conftest import ingest_day
from tests.defs.ingest.test_vendor_ingest import materialize_days, rows, stats

FORMATS = Path(__file__).resolve().parents[2] / "fixtures" / "vendor_formats"
GENERIC = (
    '{"pr_id":"acme/checkout#7","repository":"acme/checkout","number":7,"author":"ana-gh","title":"Retry auth",'
    '"head_branch":"claude/retry","base_branch":"main","created_at":"2026-03-01T09:00:00-05:00",'
    '"merged_at":"2026-03-02T09:30:00+01:00","closed_at":"2026-03-02T09:30:00+01:00","merge_commit_sha":"abc",'
    '"additions":10,"deletions":1,"changed_files":2,"labels":["ai-assisted"],'
    '"commits":[{"sha":"c1","authored_at":"2026-03-01T08:00:00-05:00","author":"ana@example.com",'
    '"message":"Retry\\n\\nCo-authored-by: Claude <noreply@anthropic.com>"}],"updated_at":"2026-03-02T08:31:00Z"}\n'
    '{"pr_id":"acme/checkout#8","repository":"acme/checkout","number":8}\n'
)


def land(workspace, relative: str, text: str) -> None:
    path = workspace.landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def vendor_sample(name: str, *replacements: tuple[str, str]) -> str:
    text = (FORMATS / name).read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, (name, old)
        text = text.replace(old, new)
    return text


def test_generic_and_vendor_pull_requests_land_with_commits_labels_and_quarantine(tiny_workspace):
    land(tiny_workspace, "pull_requests/2026-03-02.ndjson", GENERIC)
    land(tiny_workspace, "pull_requests/2026-03-03.ndjson", "")
    # the REST pages merged on 2011-01-27, moved to the landing's days; the webhook file is named for another day
    land(
        tiny_workspace,
        "pull_requests/github_rest/pulls_closed.json",
        vendor_sample(
            "github_pull_requests_list_closed.json", ("2011-01-27", "2026-03-03"), ("2011-01-26", "2026-03-02")
        ),
    )
    land(
        tiny_workspace,
        "pull_requests/github_rest/pull_1347_commits.json",
        vendor_sample("github_pull_1347_commits.json", ("2011-01-27", "2026-03-03"), ("2011-01-26", "2026-03-02")),
    )
    land(
        tiny_workspace,
        "pull_requests/github_webhook/delivery_2026-03-03.json",
        vendor_sample("github_pull_request_webhook_closed.json", ("2019-05-15", "2026-03-02")),
    )
    assert materialize_days(tiny_workspace, "2026-03-02", "2026-03-03").success

    march_2 = {row["pr_id"]: row for row in rows(tiny_workspace, "pull_requests", "day=2026-03-02")}
    assert set(march_2) == {"acme/checkout#7", "Codertocat/Hello-World#2"}
    generic = march_2["acme/checkout#7"]
    assert generic["merged_at"].isoformat() == "2026-03-02T08:30:00+00:00"  # +01:00 taken to UTC
    assert generic["_source_file"] == "pull_requests/2026-03-02.ndjson" and generic["_source_line"] == 1
    webhook = march_2["Codertocat/Hello-World#2"]
    assert webhook["_source_file"] == "pull_requests/github_webhook/delivery_2026-03-03.json"
    assert (webhook["has_commit_list"], webhook["commit_count"], webhook["additions"]) == (False, 1, 1)
    [commit] = rows(tiny_workspace, "pull_request_commits", "day=2026-03-02")
    assert (commit["pr_id"], commit["sha"], commit["authored_at"].isoformat()) == (
        "acme/checkout#7",
        "c1",
        "2026-03-01T13:00:00+00:00",
    )
    assert commit["pr_updated_at"] == generic["updated_at"] and len(commit["_record_hash"]) == 32
    labels = {(row["pr_id"], row["label"]) for row in rows(tiny_workspace, "pull_request_labels", "day=2026-03-02")}
    assert labels == {("acme/checkout#7", "ai-assisted"), ("Codertocat/Hello-World#2", "bug")}

    [reject] = pq.read_table(
        tiny_workspace.quarantine / "pull_requests" / "day=2026-03-02" / "data.parquet"
    ).to_pylist()
    assert (reject["source_file"], reject["source_line"]) == ("pull_requests/2026-03-02.ndjson", 2)
    assert reject["reason"].startswith("expected author (a non-empty string), got missing")
    day_2 = stats(tiny_workspace, "pull_requests", "day=2026-03-02")
    assert (day_2["records_read"], day_2["accepted"], day_2["quarantined"]) == (3, 2, 1)

    march_3 = {row["number"]: row for row in rows(tiny_workspace, "pull_requests", "day=2026-03-03")}
    assert sorted(march_3) == [1347, 1348, 1349]
    assert march_3[1348]["merged_at"] is None and march_3[1348]["merge_commit_sha"] is None
    assert march_3[1349]["author_type"] == "bot" and march_3[1347]["additions"] is None
    commits = rows(tiny_workspace, "pull_request_commits", "day=2026-03-03")
    assert {row["_source_file"] for row in commits} == {"pull_requests/github_rest/pull_1347_commits.json"}
    assert [row["_source_line"] for row in commits] == [1, 2]
    day_3 = stats(tiny_workspace, "pull_requests", "day=2026-03-03")
    assert (day_3["records_read"], day_3["quarantined"]) == (5, 0)  # 3 pull requests + their 2 commits


def test_a_resend_keeps_both_deliveries_and_names_them(tiny_workspace):
    land(tiny_workspace, "pull_requests/2026-03-02.ndjson", GENERIC.splitlines()[0] + "\n")
    resent = json.loads(GENERIC.splitlines()[0]) | {"title": "Retry auth (v2)", "updated_at": "2026-03-02T12:00:00Z"}
    land(tiny_workspace, "pull_requests/2026-03-02.part2.ndjson", json.dumps(resent) + "\n")
    result = materialize_days(tiny_workspace, "2026-03-02", "2026-03-02")
    delivered = rows(tiny_workspace, "pull_requests", "day=2026-03-02")
    assert [row["title"] for row in delivered] == ["Retry auth", "Retry auth (v2)"]
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key.path == ["raw", "pull_requests"]]
    assert event.materialization.metadata["repeated_keys"].value == 1


def test_a_landing_without_pull_requests_ingests_nothing_and_fails_nothing(tiny_workspace):
    result = ingest_day(tiny_workspace, "2026-03-02")
    assert result.success
    assert not (tiny_workspace.raw / "pull_requests").exists()
    assert not (tiny_workspace.quarantine / "pull_requests").exists()


def test_services_keep_their_optional_repository(tiny_workspace):
    land(
        tiny_workspace,
        "services/services.csv",
        "service,team_id,valid_from,valid_to,repository\ncheckout,team-a,2025-01-01,,acme/checkout\n",
    )
    assert ingest_day(tiny_workspace, "2026-03-02").success
    [service] = pq.read_table(tiny_workspace.raw / "services" / "snapshot" / "data.parquet").to_pylist()
    assert (service["service"], service["repository"]) == ("checkout", "acme/checkout")
