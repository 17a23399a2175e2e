"""Vendor exports renamed the way exporters and schedulers actually name them.

write_vendor_formats names each daily vendor file by the day it covers. Real exports are named by the first
or the last day of the range a job exported, by the time of the export, or not dated at all; Amazon Q's land
under an S3 key whose date folders are the delivery's. Whatever the name says, each record's own date
decides its partition, so the marts must not change.

Snapshot exports (Copilot seats, Cursor team members) keep their names: their date is the snapshot's and
means something. So do Qualtrics exports, whose name is the survey id.
"""

import hashlib
import random
import re
from datetime import date, timedelta
from pathlib import Path

SCHEMES = ("range_start", "range_end", "export_timestamp", "undated")
DAILY_FOLDERS = {
    "usage/github_copilot_users_1_day": "copilot_users_1_day",
    "usage/claude_code_analytics": "claude_code_analytics",
    "usage/cursor_daily_usage": "cursor_daily_usage",
    "deployments/github_deployment_status": "deployment_status",
}
AMAZON_Q = "usage/amazon_q_user_activity"
AMAZON_Q_PREFIX = "AWSLogs/111122223333/QDeveloperLogs/by_user_analytic/us-east-1"
DAY_IN_NAME = re.compile(r"\d{4}-\d{2}-\d{2}")
DAY_IN_KEY = re.compile(r"(\d{4})/(\d{2})/(\d{2})/")


def _file_day(folder: str, relative: str) -> date | None:
    if folder == AMAZON_Q:
        found = DAY_IN_KEY.search(relative)
        return date(int(found[1]), int(found[2]), int(found[3])) if found else None
    found = DAY_IN_NAME.search(relative)
    return date.fromisoformat(found[0]) if found else None


def _ranges(days: list[date], rng: random.Random) -> dict[date, tuple[date, date]]:
    """Consecutive days cut into export ranges of one to seven days: day -> (range start, range end)."""
    ranges, index = {}, 0
    while index < len(days):
        chunk = days[index : index + rng.randint(1, 7)]
        for day in chunk:
            ranges[day] = (chunk[0], chunk[-1])
        index += len(chunk)
    return ranges


def _daily_files(landing: Path) -> list[tuple[str, Path, date]]:
    found = []
    for folder in (*DAILY_FOLDERS, AMAZON_Q):
        for path in sorted((landing / folder).rglob("*")) if (landing / folder).is_dir() else []:
            day = _file_day(folder, path.relative_to(landing / folder).as_posix()) if path.is_file() else None
            if day:
                found.append((folder, path, day))
    return found


def draw_schemes(rng: random.Random) -> dict[str, str]:
    """A naming scheme per vendor folder (each folder is its own exporter), every scheme used at least once."""
    folders = [*DAILY_FOLDERS, AMAZON_Q]
    schemes = rng.sample(SCHEMES, len(SCHEMES)) + [rng.choice(SCHEMES) for _ in range(len(folders) - len(SCHEMES))]
    return dict(zip(folders, schemes, strict=True))


def rename_vendor_exports(landing: Path, schemes: dict[str, str], rng: random.Random) -> dict[str, str]:
    """Rename the daily vendor files of `landing`, each folder by its scheme; returns old -> new names."""
    files = _daily_files(landing)
    ranges = _ranges(sorted({day for _, _, day in files}), rng)
    compact = rng.random() < 0.5  # 20260316T021500Z (no date a parser would find) or 2026-03-16T02-15-00Z
    parts: dict[tuple[str, date], int] = {}
    renamed = {}
    for folder, path, day in files:
        scheme = schemes[folder]
        start, end = ranges[day]
        exported = end + timedelta(days=1)
        stamp = f"{exported:%Y%m%d}T021500Z" if compact else f"{exported.isoformat()}T02-15-00Z"
        named_day = {"range_start": start, "range_end": end, "export_timestamp": exported}.get(scheme)
        part = parts[(folder, start)] = parts.get((folder, start), 0) + 1
        digest = hashlib.sha1(path.read_bytes() + path.name.encode()).hexdigest()[:12]
        if folder == AMAZON_Q:
            key = f"{named_day:%Y/%m/%d}/02/" if named_day else ""
            name = f"{AMAZON_Q_PREFIX}/{key}111122223333_by_user_analytic_{digest}_part_{part}.csv"
        else:
            label = {"export_timestamp": f"export_{stamp}", "undated": digest}.get(scheme) or str(named_day)
            name = f"{DAILY_FOLDERS[folder]}_{label}_part{part:03d}{path.suffix}"
        target = landing / folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        path.rename(target)
        renamed[path.relative_to(landing).as_posix()] = target.relative_to(landing).as_posix()
    folders = (landing / AMAZON_Q).rglob("*") if (landing / AMAZON_Q).is_dir() else []
    for folder in sorted(folders, key=lambda path: len(path.parts), reverse=True):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()  # the old keys' empty folders, deepest first
    return renamed
