"""GitHub REST "list pull requests" pages with "list commits on a pull request" pages beside them."""

import json
from datetime import UTC, datetime

import pytest

from orchestration.defs.ingest.connectors.github_rest_pull_requests import parse_files
from orchestration.lib.contracts.records import UnreadableFile

LIST = "pull_requests/github_rest/pulls_closed_page_1.json"
COMMITS = "pull_requests/github_rest/pull_1347_commits.json"


@pytest.fixture
def pulls(sample) -> list[dict]:
    return json.loads(sample("github_pull_requests_list_closed.json"))


@pytest.fixture
def commits(sample) -> list[dict]:
    return json.loads(sample("github_pull_1347_commits.json"))


def parse(pulls: list[dict], commits: list[dict] | None = None, commits_name: str = COMMITS) -> dict:
    files = {LIST: json.dumps(pulls).encode()}
    if commits is not None:
        files[commits_name] = json.dumps(commits).encode()
    return parse_files(files)


def by_number(result: dict) -> dict[int, dict]:
    return {record["number"]: record for record in result[LIST].records}


def test_the_samples_give_one_record_per_closed_pull_request_with_its_commits(pulls, commits, check_canonical):
    result = parse(pulls, commits)
    assert result[LIST].records_read == 3 and not result[LIST].rejects
    assert result[COMMITS].records_read == 2 and not result[COMMITS].rejects and not result[COMMITS].records
    merged = by_number(result)[1347]
    assert merged["pr_id"] == "octocat/Hello-World#1347" and merged["repository"] == "octocat/Hello-World"
    assert (merged["author"], merged["author_type"]) == ("octocat", "login")
    assert (merged["head_branch"], merged["base_branch"]) == ("new-topic", "master")
    assert merged["merged_at"] == datetime(2011, 1, 27, 10, 2, 39, tzinfo=UTC)
    assert merged["merge_commit_sha"] == "e5bd3914e2e596debea16f433f57875b5b90bcd6"
    assert merged["labels"] == ["bug", "ai-assisted"] and merged["first_review_at"] is None
    assert (merged["has_commit_list"], merged["commit_count"]) == (True, 2)
    first, second = merged["commits"]
    assert first["authored_at"] == datetime(2011, 1, 26, 19, 0, 49, tzinfo=UTC)  # -08:00 taken to UTC
    assert first["author"] == "octocat" and (first["_source_file"], first["_source_line"]) == (COMMITS, 1)
    assert second["author"] == "monalisa@laptop.example.com"  # no GitHub account linked: the git email
    assert "Co-Authored-By: Claude" in second["message"]
    for parsed in result.values():
        check_canonical_pull_requests(parsed, check_canonical)


def check_canonical_pull_requests(parsed, check_canonical) -> None:
    """The scalar fields fit the canonical schema (the lists are checked by the property tests)."""
    flat = [
        {key: value for key, value in record.items() if key not in ("commits", "labels")} for record in parsed.records
    ]
    check_canonical(type(parsed)(parsed.entity, flat))


def test_the_list_endpoint_has_no_diff_size_so_it_is_null_not_zero(pulls, commits):
    merged = by_number(parse(pulls, commits))[1347]
    assert (merged["additions"], merged["deletions"], merged["changed_files"]) == (None, None, None)


def test_the_single_pull_shape_carries_the_diff_size_and_the_commit_count(pulls, commits):
    pulls[0].update(additions=100, deletions=3, changed_files=5, commits=3)
    merged = by_number(parse(pulls, commits))[1347]
    assert (merged["additions"], merged["deletions"], merged["changed_files"]) == (100, 3, 5)
    assert merged["commit_count"] == 3  # GitHub's count, though the page listed two


def test_closed_unmerged_keeps_no_test_merge_commit(pulls):
    unmerged = by_number(parse(pulls))[1348]
    assert unmerged["merged_at"] is None and unmerged["merge_commit_sha"] is None
    assert unmerged["closed_at"] == datetime(2011, 1, 27, 11, 30, 4, tzinfo=UTC)
    assert unmerged["created_at"] == datetime(2011, 1, 27, 4, 11, tzinfo=UTC)  # -08:00 in the sample


def test_a_bot_author_is_typed_bot(pulls):
    bot = by_number(parse(pulls))[1349]
    assert (bot["author"], bot["author_type"]) == ("dependabot[bot]", "bot")


def test_a_pull_request_without_a_commits_page_is_kept_without_a_commit_list(pulls):
    result = parse(pulls)
    assert len(result[LIST].records) == 3
    assert all(not record["has_commit_list"] and record["commits"] == [] for record in result[LIST].records)
    assert by_number(result)[1347]["commit_count"] is None


def test_an_open_pull_request_is_read_without_a_record_and_so_are_its_commits(pulls, commits):
    pulls[0].update(state="open", closed_at=None, merged_at=None)
    result = parse(pulls, commits)
    assert sorted(by_number(result)) == [1348, 1349]
    assert result[LIST].records_read == 3 and not result[LIST].rejects
    assert not result[COMMITS].rejects


def test_commits_of_a_pull_request_in_no_list_are_quarantined_in_their_file(pulls, commits):
    name = "pull_requests/github_rest/pull_999_commits.json"
    result = parse(pulls, commits, commits_name=name)
    assert [reject.source_line for reject in result[name].rejects] == [1, 2]
    assert "octocat/Hello-World#999, which is in no pull requests list" in result[name].rejects[0].reason
    assert not by_number(result)[1347]["has_commit_list"]


def test_commits_of_another_repository_with_the_same_number_are_not_taken(pulls, commits):
    for commit in commits:
        commit["url"] = commit["url"].replace("octocat/Hello-World", "octocat/Spoon-Knife")
    result = parse(pulls, commits)
    assert not by_number(result)[1347]["has_commit_list"] and len(result[COMMITS].rejects) == 2


def test_a_commits_file_named_without_its_pull_request_number_cannot_be_read(pulls, commits):
    with pytest.raises(UnreadableFile, match=r"pull_commits\.json: cannot be read: .*pull_1347_commits\.json"):
        parse(pulls, commits, commits_name="pull_requests/github_rest/pull_commits.json")


def test_a_bad_item_is_rejected_naming_the_field_and_what_to_do(pulls, commits):
    del pulls[1]["head"]["ref"]
    pulls[2]["closed_at"] = "2011-01-26T00:00:00Z"  # before created_at
    commits[1]["commit"]["author"]["date"] = 1296147600
    result = parse(pulls, commits)
    reasons = {reject.source_line: reject.reason for reject in result[LIST].rejects}
    assert reasons[2].startswith("expected head.ref (a non-empty string), got missing")
    assert reasons[2].endswith("export the pull request again")
    assert reasons[3].startswith("expected closed_at at or after created_at")
    [reject] = result[COMMITS].rejects
    assert reject.source_line == 2 and reject.reason.startswith("expected commit.author.date (an RFC 3339 timestamp)")
    assert by_number(result)[1347]["commit_count"] == 1  # the commit left is listed


def test_a_list_that_is_not_an_array_cannot_be_read():
    with pytest.raises(UnreadableFile, match=r"pulls_closed_page_1\.json: cannot be read: expected a GitHub REST"):
        parse_files({LIST: b'{"message": "Bad credentials"}'})
