"""`aaw run` without --from/--to: the window comes from the daily entities' files, and says which ones."""

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestration.cli import _landing_window

DAILY = {"deployments/2026-01-05.ndjson": "", "usage/2026-01-05.ndjson": "", "usage/2026-01-18.ndjson": ""}
SNAPSHOT_NAMES = st.sampled_from(
    [
        "surveys/nps_{day}.csv",
        "surveys/qualtrics/export_{day}.csv",
        "roster/roster_{day}.csv",
        "licences/cursor_team_members/members_{day}.json",
        "reference/metric_vars_{day}.csv",
        "teams/teams_{day}.csv",
    ]
)


def write(root, files):
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    snapshots=st.lists(
        st.tuples(SNAPSHOT_NAMES, st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))), max_size=4
    )
)
def test_a_date_in_a_snapshot_file_never_widens_the_window(tmp_path_factory, snapshots):
    """A survey export renamed nps_2025-10-01.csv made the run cover 96 days with no deployments file."""
    landing = tmp_path_factory.mktemp("landing")
    write(landing, DAILY)
    write(landing, {name.format(day=day.isoformat()): "" for name, day in snapshots})
    assert _landing_window(landing) == (date(2026, 1, 5), date(2026, 1, 18))


def test_the_window_names_the_files_that_set_its_ends(tmp_path, capsys):
    write(tmp_path, {**DAILY, "deployments/github_rest/2026-01-20.json": "", "surveys/nps_2025-10-01.csv": ""})
    first, last = _landing_window(tmp_path)
    assert (first, last) == (date(2026, 1, 5), date(2026, 1, 5) + timedelta(days=15))
    out = capsys.readouterr().out
    assert "2026-01-05 (landing/deployments/2026-01-05.ndjson)" in out
    assert "2026-01-20 (landing/deployments/github_rest/2026-01-20.json)" in out
    assert "nps" not in out
