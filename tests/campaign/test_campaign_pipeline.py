"""The campaign: generated organisations, broken landings and renamed vendor exports through the pipeline.

- Every honest organisation publishes, and its published metric marts are the oracle's (tests/metrics_oracle.py)
  column for column.
- Every mutated landing (tests/campaign/mutations.py) runs in a copy of its organisation's published
  workdir over the same window: a `blocks` kind does not publish, leaves published/ byte for byte as it was
  and names the gate or the file, without a traceback; a `tolerated` kind publishes its expected marts.
- The vendor formats of an organisation, renamed the way exporters name files, publish the same marts.

Slow (a pipeline run each): `pytest -m campaign`. The sample's size is set by the environment
(tests/campaign/campaign.py); the CI's default is 6 organisations, one mutation of each kind
and one vendor variant.
"""

import pytest

from tests.campaign.campaign import Campaign, MutatedRun, Settings
from tests.campaign.mutations import BLOCKS
from tests.campaign.runs import changed, published_metric_marts, published_rows
from tests.mart_comparison import differences, shown
from tests.metrics_oracle import MART_KEYS, expected_marts

pytestmark = pytest.mark.campaign

SETTINGS = Settings.from_environment()


def _beside(seed: int, value: int, name: str) -> pytest.param:
    """A test parameter kept on the xdist worker (`--dist loadgroup`) that runs organisation `seed`: its
    honest run is the session's, and another worker would run it again."""
    return pytest.param(value, id=name, marks=pytest.mark.xdist_group(f"organisation-{seed}"))


ORGANISATIONS = [_beside(seed, seed, str(seed)) for seed in SETTINGS.seeds]
MUTATED_LANDINGS = [
    _beside(SETTINGS.mutation_target(index), index, f"{index:03d}-{SETTINGS.mutation(index).kind}")
    for index in range(SETTINGS.mutations)
]
BLOCKING = [param for param in MUTATED_LANDINGS if SETTINGS.mutation(param.values[0]).expected == BLOCKS]
VENDOR_ORGANISATIONS = [_beside(seed, seed, str(seed)) for seed in SETTINGS.vendor_seeds()]


@pytest.fixture(scope="session")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Campaign:
    return Campaign(SETTINGS, tmp_path_factory.mktemp("campaign"))


def _against_oracle(workdir, landing, spec) -> str:
    expected = expected_marts(landing, first=spec.first, last=spec.last)
    actual = published_metric_marts(workdir)
    problems = [
        f"{mart} {problem}" for mart in MART_KEYS for problem in differences(mart, expected[mart], actual[mart])
    ]
    return shown(problems, limit=40)


@pytest.mark.parametrize("seed", ORGANISATIONS)
def test_an_honest_organisation_publishes_the_oracles_marts(seed: int, campaign: Campaign):
    honest = campaign.honest(seed)
    where = f"organisation {seed} ({honest.spec.label}), run {honest.outcome.seconds:.0f}s"
    assert honest.outcome.published, f"{where} did not publish:\n{honest.outcome.failure}"
    problems = _against_oracle(honest.workdir, honest.landing, honest.spec)
    assert not problems, f"{where}: published marts differ from the oracle:\n{problems}"


def _describe(case: MutatedRun) -> str:
    return (
        f"{case.mutation.kind} ({case.mutation.expected}: {case.mutation.reason}) on organisation "
        f"{case.honest.seed} [{case.honest.spec.label}]: {case.applied.detail}"
    )


def _mutated(campaign: Campaign, index: int) -> MutatedRun:
    case = campaign.mutated(index)
    if case.outcome is None:
        pytest.fail(f"{_describe(case)}\nthe honest organisation did not publish:\n{case.honest.outcome.failure}")
    return case


@pytest.mark.parametrize("index", MUTATED_LANDINGS)
def test_a_mutated_landing_gets_its_expected_outcome(index: int, campaign: Campaign):
    case = _mutated(campaign, index)
    outcome, mutation = case.outcome, case.mutation
    if mutation.expected == BLOCKS:
        assert not outcome.published, f"{_describe(case)}\npublished anyway"
        moved = changed(case.publication_before, case.publication_after)
        assert not moved, f"{_describe(case)}\nthe blocked run changed published/: {moved[:10]}"
        assert outcome.crash is None, f"{_describe(case)}\ncrashed ({outcome.crash}):\n{outcome.failure}"
        named = [word for word in (*mutation.gates, *case.applied.files) if word in outcome.failure]
        assert named, f"{_describe(case)}\nthe failure names neither {mutation.gates} nor the file:\n{outcome.failure}"
        return
    assert outcome.published, f"{_describe(case)}\ndid not publish:\n{outcome.failure}"
    if mutation.same_marts:
        assert published_rows(case.workdir) == published_rows(case.honest.workdir), (
            f"{_describe(case)}\npublished marts differ from the honest landing's; against the oracle:\n"
            + _against_oracle(case.workdir, case.honest.landing, case.honest.spec)
        )
    else:
        problems = _against_oracle(case.workdir, case.landing, case.honest.spec)
        assert not problems, f"{_describe(case)}\nmarts differ from the oracle on the mutated landing:\n{problems}"


@pytest.mark.parametrize("index", BLOCKING)
def test_a_blocked_run_leaves_the_lake_as_it_was(index: int, campaign: Campaign):
    case = campaign.mutated(index)
    if case.outcome is None or case.outcome.published:
        pytest.skip("no blocked run to look at (the mutation's own test fails)")
    # A blocked run's lake changes are rolled back file for file, the partitions its ingest had replaced too.
    moved = changed(case.lake_before, case.lake_after)
    assert not moved, f"{_describe(case)}\nthe blocked run changed {len(moved)} lake files, e.g. {moved[:5]}"


@pytest.mark.parametrize("seed", VENDOR_ORGANISATIONS)
def test_renamed_vendor_exports_publish_the_generic_landings_marts(seed: int, campaign: Campaign):
    honest = campaign.honest(seed)
    if not honest.outcome.published:
        pytest.fail(f"organisation {seed} did not publish from its generic landing:\n{honest.outcome.failure}")
    vendor = campaign.vendor(seed)
    where = f"organisation {seed} through vendor formats named {vendor.schemes}"
    assert vendor.outcome.published, f"{where} did not publish:\n{vendor.outcome.failure}"
    generic, renamed = published_rows(honest.workdir), published_rows(vendor.workdir)
    different = [mart for mart in generic if generic[mart] != renamed[mart]]
    assert not different, f"{where}: published marts differ from the generic landing's: {different}"
