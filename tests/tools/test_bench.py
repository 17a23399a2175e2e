"""The benchmark runs end to end at a tiny scale and writes every figure, ratio and target (no timings asserted)."""

import json
import os
import sys
from pathlib import Path

import pytest

from orchestration.tools.bench import landing, main, measure
from orchestration.tools.bench import results as results_module

FIGURES = ("wall_seconds", "peak_rss_bytes", "peak_rss_gib", "success", "load_average_before", "load_average_after")
STAGES = ("ingest", "dbt", "checks", "publish", "overhead")


def test_tree_rss_counts_this_process() -> None:
    total, largest, count = measure.tree_rss(os.getpid())
    assert total >= largest > 0
    assert count >= 1


def test_measure_samples_a_child_tree(tmp_path: Path) -> None:
    # a child that starts a grandchild holding ~64 MiB: the tree's peak counts it
    code = (
        "import subprocess, sys; "
        "subprocess.run([sys.executable, '-c', 'import time; b = bytearray(64 << 20); time.sleep(1.0)'])"
    )
    run = measure.measure("probe", [sys.executable, "-c", code], tmp_path / "probe.log")
    assert run.returncode == 0
    assert run.peak_rss_bytes > 64 << 20
    assert run.max_processes >= 2
    assert run.wall_seconds >= 1.0


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("bench")
    argv = [
        "--teams", "3",
        "--engineers-per-team", "6",
        "--days", "8",
        "--events-per-engineer-day", "10",
        "--workdir", str(root / "work"),
        "--results", str(root / "results.json"),
    ]  # fmt: skip
    code = main.main(argv)
    document = json.loads((root / "results.json").read_text())
    document["_exit_code"] = code
    document["_root"] = str(root)
    return document


@pytest.mark.bench  # a tiny benchmark is still several pipeline runs: `pytest -m bench`
def test_every_run_succeeds(results: dict) -> None:
    assert results["_exit_code"] == 0
    assert set(results["runs"]) == {
        "setup_before_early",
        "nightly_early",
        "setup_before_late",
        "nightly_late",
        "full_backfill",
    }
    assert results["nightly_days"] == {"early": 4, "late": 8}


@pytest.mark.bench  # a tiny benchmark is still several pipeline runs: `pytest -m bench`
def test_every_figure_is_recorded(results: dict) -> None:
    for name, run in [
        *results["runs"].items(),
        ("reference", results["reference"]),
        ("probe", results["ingest_probe"]),
    ]:
        for figure in FIGURES:
            assert run[figure] is not None, (name, figure)
        assert run["success"], name
        assert run["wall_seconds"] > 0 and run["peak_rss_bytes"] > 0, name
    for name, run in results["runs"].items():
        assert set(STAGES) <= set(run["stages"]), name
        assert run["stages"]["ingest"] > 0 and run["stages"]["dbt"] > 0 and run["stages"]["checks"] > 0, name
        assert {"overhead_startup", "overhead_between_steps", "overhead_shutdown"} <= set(run["stages"]), name
        assert "warehouse_models" in run["steps"] and "published__marts" in run["steps"], name
        assert run["dbt"]["models"], name  # run_results.json was found and summarised
        assert run["ingest_per_day"]["raw__tool_activity"]["days"] == run["days"], name
    assert results["runs"]["full_backfill"]["days"] == 8
    assert results["runs"]["nightly_late"]["days"] == 1


@pytest.mark.bench  # a tiny benchmark is still several pipeline runs: `pytest -m bench`
def test_reference_and_probe_compute_something(results: dict) -> None:
    assert results["reference"]["rows"]["weekly_production_deployments"] > 0
    assert results["reference"]["rows"]["monthly_active_users"] > 0
    assert results["ingest_probe"]["events"] > 0


@pytest.mark.bench  # a tiny benchmark is still several pipeline runs: `pytest -m bench`
def test_ratios_targets_and_machine(results: dict) -> None:
    assert results["ratios"]["full_backfill_over_reference"] > 0
    assert results["ratios"]["nightly_late_over_early"] > 0
    assert set(results["targets"]) == set(results_module.TARGETS)
    for target in results["targets"].values():
        assert target["value"] is not None and isinstance(target["passed"], bool)
    assert results["machine"]["cores"] >= 1 and results["machine"]["memory_bytes"] > 0
    assert results["at_target_scale"] is False
    assert results["landing"]["usage_events_total"] > 0
    assert 3.5 <= results["landing"]["merged_pull_requests_per_engineer_week"] <= 7


@pytest.mark.bench  # a tiny benchmark is still several pipeline runs: `pytest -m bench`
def test_landing_is_reused(results: dict, tmp_path: Path) -> None:
    root = Path(results["_root"])
    stamp = json.loads((root / "work" / "landing.json").read_text())
    argv = ["--teams", "3", "--engineers-per-team", "6", "--days", "8", "--events-per-engineer-day", "10"]
    reused = landing.ensure_landing(main.parse_args([*argv, "--reuse-landing"]), root / "work")
    assert reused["reused"] is True and reused["spec"] == stamp["spec"]


def test_the_landing_holds_about_five_merged_pull_requests_per_engineer_week(tmp_path: Path) -> None:
    args = main.parse_args(
        ["--teams", "3", "--engineers-per-team", "6", "--days", "14", "--events-per-engineer-day", "5"]
    )
    recorded = landing.ensure_landing(args, tmp_path)
    assert len(list((tmp_path / "landing" / "pull_requests").glob("*.ndjson"))) == 14
    volume = landing.pull_request_volume(recorded["summary"])
    assert volume["pull_requests_total"] == recorded["summary"]["pull_requests"] > 0
    assert 3.5 <= volume["merged_pull_requests_per_engineer_week"] <= 7
