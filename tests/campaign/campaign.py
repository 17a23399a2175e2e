"""The campaign's organisations, mutated landings and vendor variants, each run once per session.

The size comes from the environment, so the CI's sample and a one-off wide campaign run the same tests:
AAW_CAMPAIGN_ORGS (6), AAW_CAMPAIGN_MUTATIONS (one of each kind in the catalogue), AAW_CAMPAIGN_VENDOR_ORGS (1),
AAW_CAMPAIGN_SEED (the first organisation's seed, 0), AAW_CAMPAIGN_MAX_TEAMS (4), AAW_CAMPAIGN_MAX_DAYS (28).
AAW_CAMPAIGN_SEEDS (e.g. "5,17") replays exactly those organisations instead. With AAW_CAMPAIGN_REPORT=path
each run appends a JSON line (organisation, mutation, outcome, failure, seconds).
"""

import json
import os
import random
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.tools.demo.vendor.common import VENDOR_USAGE
from orchestration.tools.demo.vendor_formats import write_vendor_formats
from tests.campaign.mutations import MUTATIONS, Applied, Mutation
from tests.campaign.organisations import organisation, write_landing
from tests.campaign.runs import Outcome, lake_digest, publication_digest, run
from tests.campaign.spec import OrgSpec
from tests.campaign.vendor_names import draw_schemes, rename_vendor_exports


def mutation_random(mutation: Mutation, seed: int) -> random.Random:
    """The draws of a mutation on an organisation: the same wherever and however often it is applied."""
    return random.Random(f"{mutation.kind}-{seed}")


@dataclass(frozen=True)
class Settings:
    orgs: int
    mutations: int
    chosen_seeds: tuple[int, ...]
    vendor_orgs: int
    first_seed: int
    max_teams: int
    max_days: int
    report: Path | None

    @classmethod
    def from_environment(cls) -> "Settings":
        def number(name: str, default: int) -> int:
            return int(os.environ.get(name, default))

        report = os.environ.get("AAW_CAMPAIGN_REPORT")
        chosen = tuple(int(seed) for seed in os.environ.get("AAW_CAMPAIGN_SEEDS", "").split(",") if seed.strip())
        return cls(
            orgs=len(chosen) or number("AAW_CAMPAIGN_ORGS", 6),
            mutations=number("AAW_CAMPAIGN_MUTATIONS", len(MUTATIONS)),
            chosen_seeds=chosen,
            vendor_orgs=number("AAW_CAMPAIGN_VENDOR_ORGS", 1),
            first_seed=number("AAW_CAMPAIGN_SEED", 0),
            max_teams=number("AAW_CAMPAIGN_MAX_TEAMS", 4),
            max_days=number("AAW_CAMPAIGN_MAX_DAYS", 28),
            report=Path(report) if report else None,
        )

    @property
    def seeds(self) -> list[int]:
        return list(self.chosen_seeds) or list(range(self.first_seed, self.first_seed + self.orgs))

    def vendor_seeds(self) -> list[int]:
        """The first vendor_orgs organisations whose usage goes through at least two vendor formats (an
        organisation using none of those tools would rename empty exports only)."""
        chosen = [
            seed
            for seed in self.seeds
            if len(set(organisation(seed, self.max_teams, self.max_days).tools) & set(VENDOR_USAGE)) >= 2
        ]
        return chosen[: self.vendor_orgs]

    def mutation(self, index: int) -> Mutation:
        """Mutation `index` of the campaign: the catalogue in turn, so every kind comes up."""
        return MUTATIONS[index % len(MUTATIONS)]

    def mutation_target(self, index: int) -> int:
        """The organisation mutation `index` is applied to: the first, from the index's turn on, whose landing
        has a target for it. Known when the tests are collected, so that the mutation's test runs on the
        worker that runs that organisation (another worker would run its honest landing again)."""
        seeds = self.seeds
        mutation = self.mutation(index)
        for turn in range(len(seeds)):
            seed = seeds[(index + turn) % len(seeds)]
            with tempfile.TemporaryDirectory() as folder:
                landing = write_landing(organisation(seed, self.max_teams, self.max_days), Path(folder) / "landing")
                if mutation.apply(landing, mutation_random(mutation, seed)):
                    return seed
        raise LookupError(f"no organisation of the campaign has a target for {mutation.kind}")


@dataclass(frozen=True)
class HonestRun:
    seed: int  # the campaign's seed: organisation(seed) replays it
    spec: OrgSpec
    landing: Path
    workdir: Path
    outcome: Outcome


@dataclass(frozen=True)
class MutatedRun:
    honest: HonestRun
    mutation: Mutation
    applied: Applied
    landing: Path
    workdir: Path
    outcome: Outcome | None  # None when the honest organisation did not publish (nothing to compare with)
    publication_before: dict[str, str] = field(default_factory=dict)
    publication_after: dict[str, str] = field(default_factory=dict)
    lake_before: dict[str, str] = field(default_factory=dict)
    lake_after: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class VendorRun:
    honest: HonestRun
    schemes: dict[str, str]  # vendor folder -> naming scheme
    renamed: dict[str, str]
    workdir: Path
    outcome: Outcome


class Campaign:
    def __init__(self, settings: Settings, root: Path):
        self.settings = settings
        self.root = root
        self._honest: dict[int, HonestRun] = {}
        self._mutated: dict[int, MutatedRun] = {}

    def spec(self, seed: int) -> OrgSpec:
        return organisation(seed, self.settings.max_teams, self.settings.max_days)

    def honest(self, seed: int) -> HonestRun:
        if seed not in self._honest:
            spec, landing = self.spec(seed), self._landing_of(seed)
            workdir = landing.parent / "work"
            outcome = run(landing, workdir, spec.first, spec.last)
            self._report({"organisation": seed, "label": spec.label}, outcome)
            self._honest[seed] = HonestRun(seed, spec, landing, workdir, outcome)
        return self._honest[seed]

    def mutated(self, index: int) -> MutatedRun:
        """Mutation `index` applied to the first organisation (from the index's turn on) that has a target
        for it, run in a copy of that organisation's published workdir over the same window."""
        if index not in self._mutated:
            self._mutated[index] = self._run_mutation(index)
        return self._mutated[index]

    def _run_mutation(self, index: int) -> MutatedRun:
        mutation = self.settings.mutation(index)
        seed = self.settings.mutation_target(index)
        landing = self.root / f"mutation-{index:03d}-{mutation.kind}" / "landing"
        shutil.copytree(self._landing_of(seed), landing, symlinks=True)
        applied = mutation.apply(landing, mutation_random(mutation, seed))
        honest = self.honest(seed)
        workdir = landing.parent / "work"
        if not honest.outcome.published:
            return MutatedRun(honest, mutation, applied, landing, workdir, None)
        shutil.copytree(honest.workdir, workdir, symlinks=True)
        publication_before, lake_before = publication_digest(workdir), lake_digest(workdir)
        outcome = run(landing, workdir, honest.spec.first, honest.spec.last)
        self._report({"organisation": seed, "mutation": mutation.kind, "expected": mutation.expected}, outcome)
        return MutatedRun(
            honest,
            mutation,
            applied,
            landing,
            workdir,
            outcome,
            publication_before,
            publication_digest(workdir),
            lake_before,
            lake_digest(workdir),
        )

    def _landing_of(self, seed: int) -> Path:
        """The organisation's honest landing, written once, before and without its run (a mutation looks
        for a target in it first)."""
        landing = self.root / f"org-{seed}" / "landing"
        if not landing.exists():
            write_landing(self.spec(seed), landing)
        return landing

    def vendor(self, seed: int) -> VendorRun:
        honest = self.honest(seed)
        rng = random.Random(f"vendor-{seed}")
        schemes = draw_schemes(rng)
        folder = self.root / f"vendor-{seed}"
        write_vendor_formats(honest.landing, folder / "landing")
        renamed = rename_vendor_exports(folder / "landing", schemes, rng)
        outcome = run(folder / "landing", folder / "work", honest.spec.first, honest.spec.last)
        self._report({"organisation": seed, "vendor_schemes": schemes}, outcome)
        return VendorRun(honest, schemes, renamed, folder / "work", outcome)

    def _report(self, about: dict, outcome: Outcome) -> None:
        if self.settings.report:
            line = about | {
                "published": outcome.published,
                "failure": outcome.failure,
                "crash": outcome.crash,
                "seconds": round(outcome.seconds, 1),
            }
            with self.settings.report.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(line) + "\n")
