"""Which days a landing folder holds data for, read from the names of its daily files.

Only the daily entities (deployments, usage) make a day of data: a roster snapshot or a survey export may
name a date too (its validity, its fielding day), but no deployment or usage of theirs falls on it.
"""

import re
from datetime import date
from pathlib import Path

# The first day of the generated demo organisation (a Monday; the baseline window of
# seeds/velocity_programme.csv starts here), and so of its daily partitions when no landing file says more.
DEMO_FIRST_DAY = date(2026, 1, 5)

DAILY_FOLDERS = ("deployments", "usage")
DAY_IN_PATH = re.compile(r"(\d{4})[-/](\d{2})[-/](\d{2})")


def path_day_of(relative: str) -> date | None:
    """The last valid day named in a path: YYYY-MM-DD in a file name, or a yyyy/mm/dd key (Amazon Q)."""
    for year, month, day in reversed(DAY_IN_PATH.findall(relative)):
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            continue
    return None


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
