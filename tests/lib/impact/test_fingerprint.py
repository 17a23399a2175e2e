"""The estimates are kept from one run to the next only when what they are estimated from is the same: any
changed value of the panel, or a changed threshold, gives another fingerprint, and the file carries its own."""

from dataclasses import replace
from pathlib import Path

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestration.defs.impact.assets import fingerprint_of, write_estimates
from orchestration.lib.impact.estimate import ImpactSettings, estimate_impact, inputs_fingerprint
from tests.lib.impact.simulation import Organisation, simulate

SETTINGS = ImpactSettings()
PANEL = simulate(Organisation(teams=12, weeks=10, seed=3))
OUTCOMES = [column for column in PANEL.columns if PANEL[column].dtype.kind == "f"]


def test_the_same_panel_and_thresholds_give_the_same_fingerprint():
    assert inputs_fingerprint(PANEL, SETTINGS) == inputs_fingerprint(PANEL.copy(), ImpactSettings())


@settings(max_examples=25, deadline=None)
@given(row=st.integers(0, len(PANEL) - 1), column=st.sampled_from(OUTCOMES), delta=st.floats(0.001, 5))
def test_any_changed_value_changes_the_fingerprint(row: int, column: str, delta: float):
    changed = PANEL.copy()
    changed.loc[changed.index[row], column] += delta
    assert inputs_fingerprint(changed, SETTINGS) != inputs_fingerprint(PANEL, SETTINGS)


def test_a_changed_threshold_or_a_missing_week_changes_the_fingerprint():
    assert inputs_fingerprint(PANEL, replace(SETTINGS, pretrend_alpha=0.1)) != inputs_fingerprint(PANEL, SETTINGS)
    last_week = PANEL["week_start"] == PANEL["week_start"].max()
    assert inputs_fingerprint(PANEL[~last_week], SETTINGS) != inputs_fingerprint(PANEL, SETTINGS)


def test_the_estimates_file_carries_the_fingerprint_it_was_written_with(tmp_path: Path):
    target = tmp_path / "impact" / "ai_impact_estimates.parquet"
    assert fingerprint_of(target) is None
    estimates = estimate_impact(PANEL, SETTINGS)
    write_estimates(estimates, "abc123", target)
    assert fingerprint_of(target) == "abc123"
    pd.testing.assert_frame_equal(pd.read_parquet(target), estimates)
