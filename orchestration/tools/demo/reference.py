"""The generator's foundations: the reference seeds it draws tools and activity types from, the calendar of
the data window (roster snapshots, weeks), and seeded random streams."""

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from orchestration.lib.workspace import SEEDS_DIR
from orchestration.tools.demo.spec import NEVER


@dataclass(frozen=True)
class Reference:
    tools: tuple[str, ...]
    identity_types: tuple[str, ...]  # email | login | vendor_id, per tool
    requires_licence: np.ndarray  # bool per tool
    monthly_cost: tuple[str, ...]
    activity_types: tuple[str, ...]
    is_value: np.ndarray  # bool per activity type
    allowed: np.ndarray  # bool, tools x activity types
    interaction: int  # index of the `interaction` activity type

    def tool(self, name: str) -> int:
        return self.tools.index(name)


def _read_seed(name: str) -> list[dict[str, str]]:
    path = SEEDS_DIR / f"{name}.csv"
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def load_reference() -> Reference:
    tools = _read_seed("tools")
    kinds = _read_seed("activity_types")
    names = tuple(row["tool"].strip() for row in tools)
    activity_types = tuple(row["activity_type"].strip() for row in kinds)
    allowed = np.array(
        [[name in {tool.strip() for tool in row["tools"].split("|")} for row in kinds] for name in names]
    )
    if "interaction" not in activity_types:
        raise ValueError(f"{SEEDS_DIR / 'activity_types.csv'}: expected an `interaction` activity type")
    interaction = activity_types.index("interaction")
    if not allowed[:, interaction].all():
        raise ValueError(f"{SEEDS_DIR / 'activity_types.csv'}: `interaction` must be allowed for every tool")
    return Reference(
        tools=names,
        identity_types=tuple(row["identity_type"].strip() for row in tools),
        requires_licence=np.array([row["requires_licence"].strip().lower() == "true" for row in tools]),
        monthly_cost=tuple(row["monthly_cost_usd"].strip() for row in tools),
        activity_types=activity_types,
        is_value=np.array([row["is_value_deriving"].strip().lower() == "true" for row in kinds]),
        allowed=allowed,
        interaction=interaction,
    )


@dataclass(frozen=True)
class Calendar:
    start: date
    days: int

    @property
    def snapshot_count(self) -> int:
        return (self.days + 6) // 7

    def snapshot_of(self, day: np.ndarray | int) -> np.ndarray:
        return np.minimum(np.asarray(day) // 7, self.snapshot_count - 1)

    def weekday(self, day: np.ndarray | int) -> np.ndarray:
        return np.mod(self.start.weekday() + np.asarray(day, dtype=np.int64), 7)

    def date(self, day: int) -> date:
        return self.start + timedelta(days=int(day))

    def iso(self, day: int) -> str:
        return self.date(day).isoformat()

    def next_weekday(self, day: np.ndarray) -> np.ndarray:
        weekday = self.weekday(day)
        shifted = day + np.where(weekday == 5, 2, np.where(weekday == 6, 1, 0))
        return np.where(day >= NEVER, NEVER, shifted)

    def weekday_near(self, fraction: float) -> int:
        day = round(fraction * (self.days - 1))
        for delta in (0, 1, -1, 2, -2, 3, -3):
            candidate = day + delta
            if 0 <= candidate < self.days and self.weekday(candidate) < 5:
                return candidate
        return min(max(day, 0), self.days - 1)

    def timestamps(self, seconds: np.ndarray) -> np.ndarray:
        """RFC 3339 UTC strings for seconds since the start of day 0."""
        moments = np.datetime64(self.start, "s") + np.asarray(seconds, dtype=np.int64).astype("timedelta64[s]")
        return np.char.add(np.datetime_as_string(moments, unit="s").astype(str), "Z")


def random_stream(seed: int, *stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, *stream])


def categorical(rng: np.random.Generator, probabilities: Sequence[float], size: int) -> np.ndarray:
    cumulative = np.cumsum(probabilities) / np.sum(probabilities)
    return np.minimum(np.searchsorted(cumulative, rng.random(size), side="right"), len(probabilities) - 1)


def ranks(counts: np.ndarray) -> np.ndarray:
    """0..n-1 within each consecutive group of the given sizes."""
    starts = np.cumsum(counts) - counts
    return np.arange(int(counts.sum())) - np.repeat(starts, counts)


def numbered(words: Sequence[str], index: int) -> str:
    return words[index % len(words)] + ("" if index < len(words) else f" {index // len(words) + 1}")
