"""The roster gate: an identity that names two engineers is found with both engineers, files and lines."""

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from data_quality.identities import identities_claimed_twice
from orchestration.lib import lake

LOADED_AT = lake.utc_now()


def roster_row(engineer_id: str, email: str, login: str | None, file: str, line: int) -> dict:
    return {
        "engineer_id": engineer_id,
        "email": email,
        "github_login": login,
        "full_name": None,
        "team_id": "team-a",
        "manager_email": None,
        "role": "engineer",
        "is_engineer": True,
        "snapshot_date": date(2026, 1, 19),
        "_source_file": file,
        "_source_line": line,
    }


def write_roster(raw, rows: list[dict], day: date = date(2026, 1, 19)) -> None:
    lake.write_partition(raw, "roster", day, lake.canonical_table("roster", rows), "test-run", LOADED_AT)


def test_two_engineers_whose_emails_differ_only_in_case_are_named_with_their_lines(tmp_path):
    raw = tmp_path / "lake" / "raw"
    file = "roster/roster_2026-01-19.csv"
    write_roster(
        raw,
        [
            roster_row("eng-1", "Leila.Nakamura@example.com", "lnak", file, 2),
            roster_row("eng-2", "bo@example.com", "bo", file, 3),
            roster_row("eng-3", "leila.nakamura@example.com", "lnak-2", file, 4),
        ],
    )
    assert identities_claimed_twice(raw) == [
        {
            "identity": "leila.nakamura@example.com",
            "engineers": f"eng-1 (email: {file}:2); eng-3 (email: {file}:4)",
        }
    ]


def test_an_alias_of_identities_csv_that_is_another_engineers_login(tmp_path):
    raw = tmp_path / "lake" / "raw"
    write_roster(raw, [roster_row("eng-1", "ana@example.com", "Ana-GH", "roster/roster_2026-01-19.csv", 2)])
    aliases = [
        {"identity": "ana-gh", "identity_type": "login", "engineer_id": "eng-9"},
        {"identity": "ana@example.com", "identity_type": "email", "engineer_id": "eng-1"},
    ]
    for line, alias in enumerate(aliases, start=2):
        alias.update(_source_file="identities/identities.csv", _source_line=line)
    table = lake.canonical_table("identities", aliases)
    lake.write_partition(raw, "identities", None, table, "test-run", LOADED_AT)
    assert identities_claimed_twice(raw) == [
        {
            "identity": "ana-gh",
            "engineers": "eng-1 (github_login: roster/roster_2026-01-19.csv:2); "
            "eng-9 (alias login: identities/identities.csv:2)",
        }
    ]


LOCAL = st.text(alphabet="abcAB", min_size=1, max_size=3)


@settings(max_examples=40, deadline=None)
@given(emails=st.lists(LOCAL, min_size=1, max_size=6), snapshots=st.integers(min_value=1, max_value=3))
def test_an_email_is_reported_exactly_when_two_engineers_share_it_ignoring_case(tmp_path_factory, emails, snapshots):
    raw = tmp_path_factory.mktemp("lake") / "raw"
    rows = [
        roster_row(f"eng-{index}", f"{local}@example.com", None, "roster/r.csv", index + 2)
        for index, local in enumerate(emails)
    ]
    for offset in range(snapshots):  # the same engineers in every snapshot are no conflict
        write_roster(raw, rows, date(2026, 1, 19 + offset))
    owners: dict[str, set[str]] = {}
    for row in rows:
        owners.setdefault(row["email"].lower(), set()).add(row["engineer_id"])
    expected = sorted(email for email, engineers in owners.items() if len(engineers) > 1)
    found = identities_claimed_twice(raw)
    assert [row["identity"] for row in found] == expected
    for row in found:
        assert all(engineer in row["engineers"] for engineer in owners[row["identity"]])
