"""Spend consistent with usage: the tools priced per token (Claude Code, Cursor) cost what their day's events
would use in tokens, one record per identity, tool and day in the generic contract (spend/YYYY-MM-DD.ndjson);
the other tools cost their seats (tools.csv prices, from the grants). Contractors are billed in euros through
their agency (fx_rates.csv in the demo's reference overrides). A planted API key spends a little every day, then
runs away on one day: the spend_spike guard must flag it.

Token volumes and prices are illustrative, not any vendor's price list: what matters is that cost follows use,
that an honest identity never spends spend_spike_min_daily_usd in a day (HONEST_DAILY_CAP_USD), and that a
Cursor user-day is usage-based only sometimes (CURSOR_USAGE_BASED_SHARE; the rest is included in the seat).
"""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from orchestration.tools.demo.world import World

# (model, blended USD per million tokens) per usage-priced tool, the first the most used
MODELS = {
    "claude_code": (("claude-sonnet-4-5", 6.0), ("claude-opus-4-1", 30.0)),
    "cursor": (("claude-4-sonnet", 6.0), ("gpt-5", 5.0)),
}
MODEL_SHARE = (0.85, 0.15)
TOKENS_PER_EVENT = 40_000
HONEST_DAILY_CAP_USD = 60.0
CURSOR_USAGE_BASED_SHARE = 0.4
CONTRACTOR_CURRENCY = "EUR"
USD_PER_EUR = 1.08
RUNAWAY_KEY = "svc-release-agent"
RUNAWAY_TOOL = "claude_code"
RUNAWAY_DAILY_USD = (2.0, 5.0)
RUNAWAY_SPIKE_USD = 480.0
RUNAWAY_MIN_DAYS = 10  # the spike needs days of history before it (spend_spike_min_history_days)


@dataclass(frozen=True)
class RunawayKey:
    identity: str
    tool: str
    day: int


def runaway_key(days: int) -> RunawayKey | None:
    """The planted runaway key: its spike two thirds into the data, with at least a week of spend before it."""
    if days < RUNAWAY_MIN_DAYS:
        return None
    return RunawayKey(RUNAWAY_KEY, RUNAWAY_TOOL, max(8, (2 * days) // 3))


def spend_day(
    world: World,
    day: int,
    identity: np.ndarray,
    tool: np.ndarray,
    second: np.ndarray,
    runaway: RunawayKey | None,
    rng: np.random.Generator,
) -> list[dict]:
    """The day's spend records (generic contract), from its usage events (identity and tool indexes, seconds)."""
    cal, ref = world.cal, world.ref
    records = []
    for tool_index, name in enumerate(ref.tools):
        if name not in MODELS:
            continue
        mine = tool == tool_index
        if not mine.any():
            continue
        ids, first = np.unique(identity[mine], return_index=True)
        counts = np.bincount(np.searchsorted(ids, identity[mine]), minlength=len(ids))
        starts = second[mine][first]
        billed = rng.random(len(ids)) < (CURSOR_USAGE_BASED_SHARE if name == "cursor" else 1.0)
        model = (rng.random(len(ids)) >= MODEL_SHARE[0]).astype(int)
        tokens = counts * TOKENS_PER_EVENT * rng.lognormal(0, 0.4, len(ids))
        prices = np.array([price for _, price in MODELS[name]])[model]
        amounts = np.clip(np.round(tokens * prices / 1e6, 2), 0.01, HONEST_DAILY_CAP_USD)
        contractor = world.identities.is_contractor(ids)
        amounts = np.where(contractor, np.round(amounts / USD_PER_EUR, 2), amounts)
        names = world.identities.table.take(pa.array(ids[billed])).to_pylist()
        records += [
            _record(
                identity,
                name,
                f"{cal.iso(day)}T{_clock(int(start))}Z",
                float(amount),
                CONTRACTOR_CURRENCY if is_contractor else "USD",
                MODELS[name][chosen][0],
            )
            for identity, start, amount, is_contractor, chosen in zip(
                names, starts[billed], amounts[billed], contractor[billed], model[billed], strict=True
            )
        ]
    if runaway is not None and day >= 1:
        amount = RUNAWAY_SPIKE_USD if day == runaway.day else float(np.round(rng.uniform(*RUNAWAY_DAILY_USD), 2))
        model = MODELS[runaway.tool][0][0]
        records.append(_record(runaway.identity, runaway.tool, cal.iso(day) + "T03:12:00Z", amount, "USD", model))
    return records


def _clock(second: int) -> str:
    second = min(max(second, 0), 86_399)
    return f"{second // 3600:02d}:{second % 3600 // 60:02d}:{second % 60:02d}"


def _record(identity: str, tool: str, occurred_at: str, amount: float, currency: str, model: str) -> dict:
    return {
        "identity": identity,
        "tool": tool,
        "occurred_at": occurred_at,
        "amount": amount,
        "currency": currency,
        "kind": "usage",
        "model": model,
    }


def write_spend(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")


def write_fx_rates(landing: Path) -> None:
    """The demo's override of fx_rates.csv: the euro its contractors are billed in."""
    path = landing / "reference" / "fx_rates.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "currency,usd_per_unit,description\n"
        "USD,1,reporting currency\n"
        f"{CONTRACTOR_CURRENCY},{USD_PER_EUR},demo: the contractors' agency bills in euros\n",
        encoding="utf-8",
    )
