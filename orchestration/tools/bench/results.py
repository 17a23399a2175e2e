"""The benchmark's verdict: ratios, the targets they are held to, and the table printed at the end."""

TARGETS = {
    "nightly_wall_seconds": 60.0,  # one nightly day at full scale, end to end
    "nightly_late_over_early": 1.3,  # day-60 nightly / day-30 nightly
    "full_backfill_over_reference": 3.0,
    "peak_rss_gib": 4.0,  # every pipeline run
}


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if not numerator or not denominator:
        return None
    return round(numerator / denominator, 3)


def _wall(runs: dict, name: str) -> float | None:
    run = runs.get(name)
    return run["wall_seconds"] if run and run.get("success") else None


def evaluate(results: dict) -> dict:
    runs, reference = results["runs"], results.get("reference") or {}
    nightly = [wall for wall in (_wall(runs, "nightly_early"), _wall(runs, "nightly_late")) if wall is not None]
    ratios = {
        "full_backfill_over_reference": _ratio(
            _wall(runs, "full_backfill"), reference.get("wall_seconds") if reference.get("success") else None
        ),
        "nightly_late_over_early": _ratio(_wall(runs, "nightly_late"), _wall(runs, "nightly_early")),
        # with --engine spark: the same run on Spark over the DuckDB one, on the same landing
        **{
            f"{run}_spark_over_duckdb": _ratio(_wall(runs, f"{run}_spark"), _wall(runs, run))
            for run in ("nightly_late", "full_backfill")
            if f"{run}_spark" in runs
        },
    }
    pipeline_peaks = [run["peak_rss_gib"] for run in runs.values() if run]
    values = {
        "nightly_wall_seconds": max(nightly) if nightly else None,
        "nightly_late_over_early": ratios["nightly_late_over_early"],
        "full_backfill_over_reference": ratios["full_backfill_over_reference"],
        "peak_rss_gib": max(pipeline_peaks) if pipeline_peaks else None,
    }
    targets = {
        name: {"limit": limit, "value": values[name], "passed": None if values[name] is None else values[name] <= limit}
        for name, limit in TARGETS.items()
    }
    return {"ratios": ratios, "targets": targets}


TABLE_STAGES = ("ingest", "dbt", "impact", "checks", "publish", "overhead")


def table(results: dict) -> str:
    rows = [("figure", "wall s", "cpu s", "peak GiB", *TABLE_STAGES, "ok")]
    for name, run in results["runs"].items():
        if not run:
            continue
        part = run.get("stages", {})
        rows.append(
            (
                f"{name} ({run['first_day']}..{run['last_day']})",
                f"{run['wall_seconds']:.1f}",
                f"{run['cpu_seconds']:.0f}",
                f"{run['peak_rss_gib']:.2f}",
                *(f"{part.get(stage, 0):.1f}" for stage in TABLE_STAGES),
                "yes" if run["success"] else "NO",
            )
        )
    for name in ("reference", "ingest_probe"):
        run = results.get(name)
        if run:
            rows.append(
                (
                    name,
                    f"{run['wall_seconds']:.1f}",
                    f"{run['cpu_seconds']:.0f}",
                    f"{run['peak_rss_gib']:.2f}",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "yes" if run["success"] else "NO",
                )
            )
    widths = [max(len(str(row[column])) for row in rows) for column in range(len(rows[0]))]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    lines.append("")
    for name, value in results["ratios"].items():
        lines.append(f"{name}: {value}")
    for name, target in results["targets"].items():
        verdict = {True: "pass", False: "FAIL", None: "n/a"}[target["passed"]]
        lines.append(f"target {name} <= {target['limit']}: {target['value']} {verdict}")
    if not results["at_target_scale"]:
        lines.append("(smaller than the target organisation: the targets are evaluated but not meaningful)")
    return "\n".join(lines)
