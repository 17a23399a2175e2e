"""The organisation-scale benchmark: `python -m orchestration.tools.bench` (`make bench`, `aaw bench`).

Its flags, and the order of its measurements (the package's docstring says what each one is)."""

import argparse
import json
import shutil
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from orchestration.lib.workspace import REPO_ROOT
from orchestration.tools.bench.landing import _spec_dict, ensure_landing, pull_request_volume, usage_events_per_day
from orchestration.tools.bench.measure import machine
from orchestration.tools.bench.reference import ingest_probe, reference_run
from orchestration.tools.bench.results import evaluate, table
from orchestration.tools.bench.runs import pipeline_run

DEFAULT_RESULTS = REPO_ROOT / "bench" / "results.json"
TARGET_SCALE = {"teams": 2100, "engineers_per_team": 8, "days": 60, "events_per_engineer_day": 450.0}


MEASUREMENTS = ("reference", "nightly", "backfill", "probe")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="aaw bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--teams", type=int, default=TARGET_SCALE["teams"])
    parser.add_argument("--engineers-per-team", type=int, default=TARGET_SCALE["engineers_per_team"])
    parser.add_argument("--days", type=int, default=TARGET_SCALE["days"])
    parser.add_argument("--events-per-engineer-day", type=float, default=TARGET_SCALE["events_per_engineer_day"])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=REPO_ROOT / "bench" / "work")
    parser.add_argument("--results", type=Path, default=DEFAULT_RESULTS, help="where results.json goes")
    parser.add_argument(
        "--reuse-landing", action="store_true", help="keep <workdir>/landing if it was generated with the same spec"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=MEASUREMENTS,
        help="measure only these (repeatable); default: all of " + ", ".join(MEASUREMENTS),
    )
    parser.add_argument(
        "--setup",
        choices=("backfill", "daily"),
        default="backfill",
        help="history before each measured nightly: one backfill run (fast), or one nightly run per day "
        "(slow; the run history of Dagster and Great Expectations grows as in production)",
    )
    parser.add_argument("--keep-state", action="store_true", help="keep the lake/warehouse work folders afterwards")
    parser.add_argument(
        "--engine",
        choices=("duckdb", "spark"),
        default="duckdb",
        help="spark: the nightly and backfill runs are made twice on the same landing, on DuckDB and on a local "
        "Spark session (needs the spark extra), and recorded side by side (<run>_spark)",
    )
    args = parser.parse_args(argv)
    if args.days < 2:
        parser.error("--days must be at least 2 (a nightly run needs a day of history)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    only = set(args.only or MEASUREMENTS)
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    landing_info = ensure_landing(args, workdir)
    landing = workdir / "landing"
    events = usage_events_per_day(landing)
    start = date.fromisoformat(landing_info["first_day"])
    day = lambda number: start + timedelta(days=number - 1)  # noqa: E731 - day number 1..days
    early, late = max(args.days // 2, 2), args.days

    results: dict = {
        "generated_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "spec": _spec_dict(args),
        "at_target_scale": all(_spec_dict(args)[name] >= value for name, value in TARGET_SCALE.items()),
        "machine": machine(),
        "landing": {
            **{key: value for key, value in landing_info.items() if key != "summary"},
            "usage_events_total": sum(events.values()),
            "usage_events_per_day_mean": round(sum(events.values()) / max(len(events), 1)),
            "engineers": args.teams * args.engineers_per_team,
            **pull_request_volume(landing_info["summary"]),
        },
        "nightly_days": {"early": early, "late": late},
        "setup": args.setup,
        "runs": {},
        "setup_daily": [],
        "reference": None,
        "ingest_probe": None,
    }
    runs = results["runs"]

    if "reference" in only:
        results["reference"] = reference_run(workdir, landing)
    for engine in ("duckdb", "spark") if args.engine == "spark" else ("duckdb",):
        _measure_engine(results, args, only, engine, workdir, landing, day, events)
    if "probe" in only:
        results["ingest_probe"] = ingest_probe(workdir, landing, day(late))

    results.update(evaluate(results))
    results["bench_seconds"] = round(time.perf_counter() - began, 1)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print()
    print(table(results))
    print(f"\nbench: results in {args.results}")
    measured = [run for run in runs.values() if run] + [
        results[name] for name in ("reference", "ingest_probe") if results[name]
    ]
    return 0 if all(run["success"] for run in measured) else 1


def _measure_engine(
    results: dict, args: argparse.Namespace, only: set, engine: str, workdir: Path, landing: Path, day, events: dict
) -> None:
    """The nightly and backfill runs on one engine, in state folders of their own (named `<run>_spark` on Spark)."""
    suffix = "" if engine == "duckdb" else f"_{engine}"
    early, late = results["nightly_days"]["early"], results["nightly_days"]["late"]

    def run(label: str, state: Path, first: date, last: date, full_refresh: bool) -> None:
        """One measured run, recorded under its label (with the engine's suffix)."""
        results["runs"][label + suffix] = pipeline_run(
            label + suffix, state, landing, first, last, full_refresh, events, engine
        )

    def daily(label: str, state: Path, first: date, last: date, full_refresh: bool) -> None:
        """The history before a measured nightly, one nightly run per day as in production: the run history
        (Dagster event log, Great Expectations results, releases) grows as it would. Each run is summarised."""
        for offset in range((last - first).days + 1):
            one_day = first + timedelta(days=offset)
            label_of_day = f"{label}{suffix}_{one_day.isoformat()}"
            figures = pipeline_run(
                label_of_day, state, landing, one_day, one_day, full_refresh and offset == 0, events, engine
            )
            kept = ("first_day", "wall_seconds", "cpu_seconds", "peak_rss_gib", "success", "stages")
            results["setup_daily"].append({key: figures[key] for key in kept})
            if not figures["success"]:
                raise SystemExit(f"bench: setup run for {one_day} failed; see {figures['log']}")

    if "nightly" in only:
        state = workdir / f"nightly{suffix}"
        shutil.rmtree(state, ignore_errors=True)
        # the history before each measured nightly: one backfill run (fast), or one run per day
        setup = daily if args.setup == "daily" else run
        setup("setup_before_early", state, day(1), day(early - 1), True)
        run("nightly_early", state, day(early), day(early), False)
        if late - 1 > early:
            setup("setup_before_late", state, day(early + 1), day(late - 1), False)
        run("nightly_late", state, day(late), day(late), False)
        results[f"nightly_state_bytes{suffix}"] = _folder_bytes(state)
        if not args.keep_state:
            _drop_state(state)
    if "backfill" in only:
        state = workdir / f"backfill{suffix}"
        shutil.rmtree(state, ignore_errors=True)
        run("full_backfill", state, day(1), day(late), True)
        results[f"backfill_state_bytes{suffix}"] = _folder_bytes(state)
        if not args.keep_state:
            _drop_state(state)


def _folder_bytes(folder: Path) -> dict[str, int]:
    if not folder.exists():
        return {}
    sizes = {}
    for child in sorted(folder.iterdir()):
        paths = [child] if child.is_file() else [path for path in child.rglob("*") if path.is_file()]
        sizes[child.name] = sum(path.stat().st_size for path in paths)
    return sizes


def _drop_state(folder: Path) -> None:
    """Free the disk a run's lake and warehouse took (the logs and run results under runs/ stay)."""
    shutil.rmtree(folder, ignore_errors=True)
