"""The generic contract v1 parsers: every bad-input kind gets a reason naming file and line."""

import json
from datetime import UTC, datetime

import pytest

from orchestration.defs.ingest.connectors.generic import (
    parse_deployments,
    parse_licence_grants,
    parse_roster,
    parse_survey_responses,
    parse_teams,
    parse_usage_events,
)
from orchestration.lib.contracts.records import UnreadableFile
from tests.defs.ingest.generic_inputs import CATALOGUE, DAY, NOW


def reasons(parsed) -> dict[int, str]:
    return {reject.source_line: reject.reason for reject in parsed.rejects}


def test_roster_rows_become_records_and_bad_rows_rejects():
    data = (
        b"engineer_id,email,github_login,full_name,team_id,manager_email,role,is_engineer\n"
        b"eng-1,Ana@Example.com,ana,Ana,team-a,,engineer,true\n"
        b"eng-2,,bo,Bo,team-a,,engineer,true\n"
        b"eng-3,cy@example.com,cy,Cy,team-a,,engineer,maybe\n"
    )
    parsed = parse_roster(data, "roster/roster_2026-03-02.csv", DAY)
    assert [record["email"] for record in parsed.records] == ["ana@example.com"]
    assert parsed.records[0]["snapshot_date"] == DAY and parsed.records[0]["_source_line"] == 2
    assert reasons(parsed) == {
        3: "missing required field email",
        4: "is_engineer: expected true or false, got 'maybe'",
    }
    assert parsed.records_read == len(parsed.records) + len(parsed.rejects) == 3


def test_wrong_csv_header_makes_the_file_unreadable():
    with pytest.raises(UnreadableFile, match=r"teams/teams.csv: cannot be read: expected a CSV header .*\(missing org"):
        parse_teams(b"team_id,team_name,organisation,parent_org,velocity_target\nt,T,O,P,3\n", "teams/teams.csv")


def test_unknown_enum_values_are_rejected_with_the_allowed_values():
    teams = parse_teams(b"team_id,team_name,org,parent_org,velocity_target\nt,T,O,P,5\n", "teams/teams.csv")
    assert reasons(teams) == {2: "velocity_target: expected 3 or 10, got '5'"}
    grants = parse_licence_grants(
        b"identity,tool,granted_at,revoked_at,plan,monthly_cost_usd\n"
        b"ana@example.com,copilot-x,2026-01-01T00:00:00Z,,,\n",
        "licences/grants.csv",
        CATALOGUE,
    )
    assert reasons(grants) == {2: "unknown tool 'copilot-x': expected one of cursor, github_copilot (tools.csv)"}


def test_survey_scores_outside_0_to_10_and_bad_timestamps_are_rejected():
    parsed = parse_survey_responses(
        b"response_id,survey_id,respondent,tool,score,submitted_at\n"
        b"r1,s1,,cursor,9,2026-03-02T10:00:00Z\n"
        b"r2,s1,,cursor,11,2026-03-02T10:00:00Z\n"
        b"r3,s1,,cursor,7,yesterday\n",
        "surveys/wave.csv",
    )
    assert [record["response_id"] for record in parsed.records] == ["r1"]
    assert parsed.records[0]["identity"] is None
    assert reasons(parsed) == {
        3: "score: expected an integer 0..10, got '11'",
        4: "expected an RFC 3339 timestamp, got 'yesterday'",
    }


def test_deployments_every_bad_input_kind():
    good = (
        '{"deployment_id":"d1","service":"s","environment":"production","commit_sha":"a","status":"success",'
        '"deployed_at":"2026-03-02T10:00:00+02:00","triggered_by":"ana","lines_changed":3}'
    )
    lines = [
        good,
        '{"deployment_id":"d2","service":"s"',
        '{"deployment_id":"d3","service":"s","environment":"production","commit_sha":"a","status":"done",'
        '"deployed_at":"2026-03-02T10:00:00Z"}',
        '{"deployment_id":"d4","service":"s","environment":"production","status":"success",'
        '"deployed_at":"2026-03-02T10:00:00Z"}',
        '{"deployment_id":"d5","service":"s","environment":"production","commit_sha":"a","status":"success",'
        '"deployed_at":"02/03/2026 10:00"}',
        '{"deployment_id":"d6","service":"s","environment":"production","commit_sha":"a","status":"success",'
        '"deployed_at":"2026-03-03T10:00:00Z"}',
        "",
        "[1, 2]",
    ]
    parsed = parse_deployments("\n".join(lines).encode(), "deployments/2026-03-02.ndjson", DAY, now=NOW)
    assert [record["deployment_id"] for record in parsed.records] == ["d1"]
    assert parsed.records[0]["deployed_at"] == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    found = reasons(parsed)
    assert found[2].startswith("malformed JSON")
    assert found[3] == "unknown status 'done': expected one of error, failure, rolled_back, success (contract)"
    assert found[4] == "missing required field commit_sha"
    assert found[5] == "expected an RFC 3339 timestamp, got '02/03/2026 10:00'"
    assert found[6] == "deployed_at 2026-03-03T10:00:00+00:00 is outside the file's day 2026-03-02"
    assert found[8] == "expected a JSON object per line"
    assert parsed.records_read == 7 == len(parsed.records) + len(parsed.rejects)


def test_usage_events_are_validated_deduplicated_and_rolled_up():
    def event(event_id: str, at: str, identity: str = "Ana@Example.com", tool: str = "cursor", **extra) -> str:
        fields = {"event_id": event_id, "occurred_at": at, "identity": identity, "tool": tool}
        fields.setdefault("event_type", extra.pop("event_type", "interaction"))
        fields.update(extra)
        return json.dumps(fields)

    day_file = "\n".join(
        [
            event("e1", "2026-03-02T10:00:05Z"),
            event("e2", "2026-03-02T10:00:50Z", quantity=3),
            event("e3", "2026-03-02T11:00:00+01:00", identity="octo", tool="github_copilot"),
            event("e4", "2026-03-02T10:00:00Z", tool="copilot-x"),
            event("e5", "not a time"),
            '{"event_id": "e6", "occurred_at": "2026-03-02T1',
            event("e7", "2026-03-03T10:00:00Z"),
            event("e8", "2026-03-02T10:00:00Z", tool="github_copilot", event_type="suggestion_accepted"),
            event("", "2026-03-02T10:00:00Z"),
            event("e9", "2026-03-02T10:00:00Z", quantity=-1),
            event("e10", "2026-03-02T10:00:10Z", event_type="suggestion_accepted"),
            event("e11", "2026-03-02T10:00:20Z", event_type="suggestion_accepted"),
        ]
    ).encode()
    resent = event("e1", "2026-03-02T10:00:05Z").encode()
    usage = parse_usage_events(
        [("usage/2026-03-02.ndjson", day_file), ("usage/2026-03-02.resent.ndjson", resent)],
        DAY,
        CATALOGUE,
        now=NOW,
    )
    rows = {(row["identity"], row["tool"]): row for row in usage.activity.to_pylist()}
    rows = {(row["identity"], row["tool"], row["activity_type"]): row for row in usage.activity.to_pylist()}
    ana = rows[("Ana@Example.com", "cursor", "interaction")]
    assert (ana["activity_count"], ana["identity_type"]) == (4, "email")
    # the bot rule's input: the identity's busiest minute of value-deriving events, on all its rows
    assert (
        ana["peak_events_per_minute"]
        == rows[("Ana@Example.com", "cursor", "suggestion_accepted")]["peak_events_per_minute"]
        == 2
    )
    octo = rows[("octo", "github_copilot", "interaction")]
    assert (octo["activity_count"], octo["identity_type"], octo["first_at"].hour) == (1, "login", 10)
    assert usage.duplicates == 1 and usage.records_read == 13
    found = {(reject.source_file, reject.source_line): reject.reason for reject in usage.rejects}
    file = "usage/2026-03-02.ndjson"
    assert found[(file, 4)].startswith("unknown tool copilot-x: expected one of tools.csv")
    assert found[(file, 5)] == "unparseable timestamp occurred_at not a time: expected RFC 3339"
    assert found[(file, 6)] == "malformed JSON: expected one JSON object per line"
    assert found[(file, 7)] == "occurred_at 2026-03-03T10:00:00Z is outside the file's day 2026-03-02"
    assert found[(file, 8)].startswith("unknown event_type suggestion_accepted for tool github_copilot")
    assert found[(file, 9)] == "missing required field event_id"
    assert found[(file, 10)] == "quantity: expected a non-negative integer, got -1"
    accepted = usage.records_read - len(usage.rejects)
    assert accepted == 6 and accepted - usage.duplicates == 5  # e1, e2, e3, e10, e11 once each


def test_usage_in_the_future_is_rejected():
    usage = parse_usage_events(
        [
            (
                "usage/2026-03-02.ndjson",
                b'{"event_id":"e","occurred_at":"2026-03-02T10:00:00Z","identity":"a",'
                b'"tool":"cursor","event_type":"interaction"}\n',
            )
        ],
        DAY,
        CATALOGUE,
        now=datetime(2026, 3, 2, 9, tzinfo=UTC),
    )
    assert [reject.reason for reject in usage.rejects] == ["occurred_at 2026-03-02T10:00:00Z is in the future"]


def _usage_event(event_id: str, **fields: object) -> str:
    return json.dumps(
        {
            "event_id": event_id,
            "occurred_at": "2026-03-02T10:00:00Z",
            "identity": "ana@example.com",
            "tool": "cursor",
            "event_type": "interaction",
        }
        | fields
    )


def test_a_line_longer_than_the_bound_is_quarantined_not_parsed():
    """One 50 MB line holding a valid event ran DuckDB out of memory; it is quarantined with a bounded excerpt."""
    from orchestration.defs.ingest.connectors.generic import MAX_LINE_BYTES

    huge = _usage_event("big", padding="x" * (MAX_LINE_BYTES + 10))
    data = "\n".join([_usage_event("e1"), huge, _usage_event("e2")]).encode() + b"\n"
    usage = parse_usage_events([("usage/2026-03-02.ndjson", data)], DAY, CATALOGUE, NOW)
    [reject] = usage.rejects
    assert (reject.source_file, reject.source_line) == ("usage/2026-03-02.ndjson", 2)
    assert reject.reason.startswith(f"line of {len(huge):,} bytes, longer than the {MAX_LINE_BYTES:,} bytes")
    assert len(reject.raw) < 300 and reject.raw.startswith('{"event_id": "big"')
    assert usage.records_read == 3 and usage.activity.column("activity_count").to_pylist() == [2]

    deployment = json.dumps(
        {"deployment_id": "d1", "service": "s", "environment": "production", "commit_sha": "a", "status": "success"}
        | {"deployed_at": "2026-03-02T10:00:00Z", "note": "y" * (MAX_LINE_BYTES + 1)}
    )
    parsed = parse_deployments(deployment.encode(), "deployments/2026-03-02.ndjson", DAY, NOW)
    assert reasons(parsed)[1].startswith("line of ") and parsed.records == [] and len(parsed.rejects[0].raw) < 300


def test_integers_the_warehouse_would_refuse_are_quarantined_at_ingest():
    """Two events of quantity 2**63 - 1 overflowed the day's sum (a raw DuckDB ConversionException), and a
    negative lines_changed passed ingest and then failed the dbt build, losing the whole run."""
    big = 9223372036854775807
    data = f"{_usage_event('e1', quantity=big)}\n{_usage_event('e2', quantity=big)}\n{_usage_event('e3')}\n".encode()
    usage = parse_usage_events([("usage/2026-03-02.ndjson", data)], DAY, CATALOGUE, NOW)
    assert [reject.source_line for reject in usage.rejects] == [1, 2]
    assert all("quantity: expected at most" in reject.reason for reject in usage.rejects)
    deployment = {
        "deployment_id": "d1",
        "service": "s",
        "environment": "production",
        "commit_sha": "a",
        "status": "success",
        "deployed_at": "2026-03-02T10:00:00Z",
        "lines_changed": -500,
    }
    parsed = parse_deployments(json.dumps(deployment).encode(), "deployments/2026-03-02.ndjson", DAY, NOW)
    assert reasons(parsed) == {1: "lines_changed: expected a non-negative 64-bit integer, got -500"}
