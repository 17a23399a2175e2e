"""Known-answer validation over many simulated organisations (`pytest -m impact`; `make test` runs it): the 95%
interval of the average effect after adoption covers the planted effect in at least 90% of organisations, and
with no effect planted it excludes zero in at most 10% of them. The naive before/after's bias on the same data is
reported beside them. Each organisation is a panel drawn directly and passed to the function the pipeline's
estimator asset calls, so the whole test takes well under a minute."""

import numpy as np
import pytest

from orchestration.lib.impact.estimate import CALLAWAY_SANTANNA, NAIVE, ImpactSettings, estimate_scope
from tests.lib.impact.simulation import Organisation, simulate

ORGANISATIONS = 60
EFFECT = 0.4
SETTINGS = ImpactSettings(min_treated_teams=5, min_control_teams=5, pretrend_alpha=0.05)


def _organisation(seed: int, effect: float) -> Organisation:
    draw = np.random.default_rng(10_000 + seed)
    return Organisation(
        teams=int(draw.integers(30, 81)),
        weeks=int(draw.integers(20, 31)),
        effect=effect,
        never_share=float(draw.uniform(0.15, 0.4)),
        trend_per_week=float(draw.uniform(-0.03, 0.06)),
        seasonality=float(draw.uniform(0.0, 0.4)),
        noise=float(draw.uniform(0.2, 0.5)),
        seed=seed,
    )


def _headlines(effect: float) -> list[tuple[dict, dict]]:
    results = []
    for seed in range(ORGANISATIONS):
        rows = estimate_scope(simulate(_organisation(seed, effect)), "deploys_per_engineer", "all_teams", SETTINGS)
        pick = {row["estimator"]: row for row in rows if row["event_week"] is None}
        results.append((pick[CALLAWAY_SANTANNA], pick[NAIVE]))
    return results


@pytest.mark.impact
def test_coverage_false_positives_and_naive_bias_over_many_organisations(capsys):
    planted = _headlines(EFFECT)
    reliable = [estimate for estimate, _ in planted if estimate["is_reliable"]]
    covered = sum(estimate["ci_low"] <= EFFECT <= estimate["ci_high"] for estimate in reliable)
    null = _headlines(0.0)
    reliable_null = [estimate for estimate, _ in null if estimate["is_reliable"]]
    false_positives = sum(not (estimate["ci_low"] <= 0.0 <= estimate["ci_high"]) for estimate in reliable_null)
    coverage = covered / len(reliable)
    false_positive_rate = false_positives / len(reliable_null)
    naive_bias = np.mean([naive["estimate"] - EFFECT for _, naive in planted])
    estimator_bias = np.mean([estimate["estimate"] - EFFECT for estimate in reliable])
    with capsys.disabled():
        print(
            f"\nimpact validation over {ORGANISATIONS} simulated organisations per setting: coverage of the planted "
            f"effect {EFFECT} = {coverage:.1%} ({covered}/{len(reliable)} reliable estimates); false-positive rate "
            f"with zero effect = {false_positive_rate:.1%} ({false_positives}/{len(reliable_null)}); bias: "
            f"estimator {estimator_bias:+.3f}, naive before/after {naive_bias:+.3f}; withheld for failed "
            f"pre-trends or too few teams: {len(planted) - len(reliable)} and {len(null) - len(reliable_null)}"
        )
    assert len(reliable) >= 0.8 * ORGANISATIONS and len(reliable_null) >= 0.8 * ORGANISATIONS
    assert coverage >= 0.90
    assert false_positive_rate <= 0.10
