"""What a landing path says: the day it names, whether its folder is a daily one, and which files at the top of
a landing folder an ingest asset reads (and what it says of the others).

Ingest, the landing sensor and the command line's run window all read days out of paths here, one way.

Every file is either read or named: a daily folder's file that no day reads fails the run (a day's data
would be lost), and a file a snapshot folder does not read (a hidden file, another extension) is reported as
ignored, in the run's log, the lake's record of ignored files, `aaw status` and the run summary.
"""

import re
from datetime import date
from pathlib import Path

# A generic daily file: the UTC day, any resend suffix (.part2), and an NDJSON extension. `.jsonl` and `.json`
# are read as NDJSON too: exporters name the same one-object-per-line text either way, and a resend saved as
# `.part2.jsonl` was silently never read. A `.json` holding one JSON document is not NDJSON: its lines are
# quarantined one by one, and the quarantine gate names the file.
DAY_FILE = re.compile(r"(\d{4}-\d{2}-\d{2})(\..+)?\.(ndjson|jsonl|json)")
DAY_FILE_FORMS = "YYYY-MM-DD.ndjson (or .jsonl, .json; a real UTC day; resends YYYY-MM-DD.part2.ndjson)"
# A day anywhere in a path: YYYY-MM-DD in a file name, or a yyyy/mm/dd key (Amazon Q's S3 layout).
DAY_IN_PATH = re.compile(r"(\d{4})[-/](\d{2})[-/](\d{2})")
DAY_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")

# The landing folders of the daily entities (folder -> entity): only their files say which days have data.
DAILY_FOLDERS = {"usage": "tool_activity", "deployments": "deployments"}
# Daily entities an organisation may not deliver at all (pull requests, spend): the landing sensor requests the days of
# their files like the others', but they do not set the window of a run without --from/--to (daily_files): pull
# requests exported further back or ahead than deployments and usage would add days without those files.
OPTIONAL_DAILY_FOLDERS = {"pull_requests": "pull_requests", "spend": "spend"}


def path_day_of(relative: str) -> date | None:
    """The last valid day named in a path: YYYY-MM-DD in a file name, or a yyyy/mm/dd key (Amazon Q)."""
    for year, month, day in reversed(DAY_IN_PATH.findall(relative)):
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            continue
    return None


def name_day_text(name: str) -> str | None:
    """The first YYYY-MM-DD in a file's name (not its folders), real date or not: a snapshot file's day."""
    found = DAY_IN_NAME.search(Path(name).name)
    return found.group(1) if found else None


def is_daily_path(relative: str) -> bool:
    """A file of a daily entity, optional ones included (generic or vendor), by its path relative to landing/."""
    return relative.split("/", 1)[0] in DAILY_FOLDERS | OPTIONAL_DAILY_FOLDERS


def is_hidden(path: Path) -> bool:
    return path.name.startswith(".")


def day_of_file(file_name: str) -> date | None:
    """The day a generic daily file holds, or None for a name no day reads."""
    found = DAY_FILE.fullmatch(file_name)
    if not found:
        return None
    try:
        return date.fromisoformat(found.group(1))
    except ValueError:
        return None


def top_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.glob("*") if path.is_file()) if folder.is_dir() else []


def day_files(folder: Path, day: date) -> list[Path]:
    """Generic-contract files of one day: YYYY-MM-DD.ndjson and any resend such as YYYY-MM-DD.part2.jsonl."""
    return [path for path in top_files(folder) if not is_hidden(path) and day_of_file(path.name) == day]


def stray_day_files(folder: Path) -> list[Path]:
    """Files at the top of a daily folder that no day reads (a mistyped or impossible date, another extension)."""
    return [path for path in top_files(folder) if not is_hidden(path) and day_of_file(path.name) is None]


def ignored_files(folder: Path, reads: str) -> dict[Path, str]:
    """The files at the top of a folder an asset does not read (it reads `reads`, a glob), with the reason."""
    ignored = {}
    for path in top_files(folder):
        if is_hidden(path):
            ignored[path] = "hidden file (name starts with a dot): not read"
        elif not path.match(reads):
            ignored[path] = f"not read: this folder's files are {reads}"
    return ignored


# The first day of the generated demo organisation (a Monday; the baseline window of
# seeds/velocity_programme.csv starts here), and so of its daily partitions when no landing file says more.
DEMO_FIRST_DAY = date(2026, 1, 5)


def daily_files(landing: Path) -> dict[str, date]:
    """Every dated file of a daily entity, by its path relative to the landing folder, with its day."""
    dated: dict[str, date] = {}
    for folder in DAILY_FOLDERS:
        for path in sorted((landing / folder).rglob("*")):
            relative = path.relative_to(landing).as_posix()
            if path.is_file() and (day := path_day_of(relative)):
                dated[relative] = day
    return dated


def first_day(landing: Path) -> date | None:
    """The first day a daily file of the landing folder names, or None without any."""
    return min(daily_files(landing).values(), default=None)
