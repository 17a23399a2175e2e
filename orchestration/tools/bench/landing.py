"""The benchmark's landing: the demo organisation generated once (or reused when its spec is the same)."""

import argparse
import json
import shutil
import sys
from pathlib import Path

from orchestration.tools.bench.measure import child_env, measure


def _spec_dict(args: argparse.Namespace) -> dict:
    return {
        "teams": args.teams,
        "engineers_per_team": args.engineers_per_team,
        "days": args.days,
        "events_per_engineer_day": args.events_per_engineer_day,
        "seed": args.seed,
    }


def ensure_landing(args: argparse.Namespace, workdir: Path) -> dict:
    """Generate <workdir>/landing once; with --reuse-landing keep one generated with the same spec."""
    landing = workdir / "landing"
    stamp = workdir / "landing.json"
    spec = _spec_dict(args)
    if args.reuse_landing and landing.is_dir() and stamp.exists():
        recorded = json.loads(stamp.read_text())
        if recorded.get("spec") == spec:
            return {**recorded, "reused": True}
        print(f"bench: {landing} was generated with {recorded.get('spec')}; regenerating for {spec}", flush=True)
    shutil.rmtree(landing, ignore_errors=True)
    stamp.unlink(missing_ok=True)
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from orchestration.tools.demo.generator import DemoSpec, generate\n"
        f"spec = DemoSpec(**json.loads({json.dumps(json.dumps(spec))}))\n"
        f"summary = generate(spec, Path({str(landing)!r}), None)\n"
        f"Path({str(workdir / 'generate_summary.json')!r}).write_text(json.dumps(summary, default=str))\n"
    )
    print(f"bench: generating the landing {spec} into {landing}", flush=True)
    run = measure("generate", [sys.executable, "-c", code], workdir / "logs" / "generate.log", child_env())
    if run.returncode != 0:
        raise SystemExit(f"bench: generating the landing failed; see {run.log}")
    summary = json.loads((workdir / "generate_summary.json").read_text())
    usage = sorted((landing / "usage").glob("*.ndjson"))
    recorded = {
        "spec": spec,
        "seconds": round(run.wall_seconds, 2),
        "peak_rss_gib": round(run.peak_rss_gib, 3),
        "landing_bytes": sum(path.stat().st_size for path in landing.rglob("*") if path.is_file()),
        "usage_files": len(usage),
        "usage_bytes_per_day": int(sum(path.stat().st_size for path in usage) / max(len(usage), 1)),
        "first_day": usage[0].stem if usage else None,
        "last_day": usage[-1].stem if usage else None,
        "summary": summary,
    }
    stamp.write_text(json.dumps(recorded, indent=2, default=str))
    return {**recorded, "reused": False}


def usage_events_per_day(landing: Path) -> dict[str, int]:
    """Lines of each usage file (one event a line), counted without parsing."""
    counts = {}
    for path in sorted((landing / "usage").glob("*.ndjson")):
        lines = 0
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 24):
                lines += chunk.count(b"\n")
        counts[path.stem] = lines
    return counts


def pull_request_volume(summary: dict) -> dict:
    """The landing's pull requests, and the merged ones per engineer and week (the demo aims at about 5)."""
    merged = summary.get("merged_pull_requests", 0)
    engineer_weeks = summary["engineers"] * summary["days"] / 7
    return {
        "pull_requests_total": summary.get("pull_requests", 0),
        "merged_pull_requests_per_engineer_week": round(merged / engineer_weeks, 2) if engineer_weeks else None,
    }
