"""A catalogue of breakages, each applied to a copy of an honest landing, with the outcome the rules give.

`blocks`: the run must not publish, must leave the previous publication as it was and must say which gate
or file stopped it. `tolerated`: the run must publish, and its marts must be the honest landing's (or, where
the breakage changes what the organisation said, the oracle's reading of the changed landing).

Each mutation picks its target where the organisation has the volume that makes its outcome certain (a
busy weekday, a week of history before it); `apply` returns None when the landing has no such target.
"""

import codecs
import csv
import json
import math
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

BLOCKS, TOLERATED = "blocks", "tolerated"
SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"
HISTORY_DAYS = 7  # a target day has at least a week of data before it: "normal volume" has a meaning
BUSY_USAGE = 20  # events a day from which a usage day is busy
BUSY_DEPLOYS = 3  # deployments a day from which a deployments day is busy
SILENCE_ODDS = 0.001  # gate_false_alarm_rate: a missing day file blocks when a zero is less likely than this
TRUNCATED_WIDTH = 100  # an exporter that cuts every line at 100 characters


@dataclass(frozen=True)
class Applied:
    files: tuple[str, ...]  # paths under landing/ the mutation touched: a blocking message may name one
    detail: str  # what was done, with the volumes involved


@dataclass(frozen=True)
class Mutation:
    kind: str
    expected: str  # BLOCKS or TOLERATED
    reason: str  # why, from the rules
    apply: Callable[[Path, random.Random], Applied | None]
    gates: tuple[str, ...] = ()  # gates whose failure explains a blocked run (naming a touched file does too)
    same_marts: bool = True  # tolerated: the honest landing's marts; False: the oracle on the mutated landing


# ---- reading a landing -------------------------------------------------------------------------


def _relative(landing: Path, path: Path) -> str:
    return path.relative_to(landing).as_posix()


def _day_files(landing: Path, folder: str) -> dict[date, Path]:
    """The generic contract's day files of a folder (resends such as .part2 left out)."""
    files = {}
    for path in sorted((landing / folder).glob("*.ndjson")):
        try:
            files[date.fromisoformat(path.name.removesuffix(".ndjson"))] = path
        except ValueError:
            continue
    return files


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _write_records(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")


def _busy_weekday(
    landing: Path, folder: str, busy: Callable[[list[dict]], bool], after: date = date.min
) -> date | None:
    """The busiest weekday after a week of history (and after `after`) that is busy and was busy on the
    same weekday a week before: a day on which the organisation normally has volume."""
    files = _day_files(landing, folder)
    if not files:
        return None
    first = min(files)
    counts = {day: _records(path) for day, path in files.items()}
    candidates = [
        day
        for day, records in counts.items()
        if day.weekday() < 5
        and day > after
        and (day - first).days >= HISTORY_DAYS
        and busy(records)
        and busy(counts.get(day - timedelta(days=7), []))
    ]
    return max(candidates, key=lambda day: (len(counts[day]), day), default=None)


def _busy_usage(records: list[dict]) -> bool:
    return len(records) >= BUSY_USAGE and len({record["identity"].lower() for record in records}) >= 5


def _busy_deploys(records: list[dict]) -> bool:
    return len(records) >= BUSY_DEPLOYS


def _judged_weekday(landing: Path, folder: str, volume: Callable[[list[dict]], int]) -> date | None:
    """The busiest weekday whose silence the rules can judge implausible: 2+ of the 4 same weekdays before
    it have a file, and a zero is below SILENCE_ODDS for their mean volume (a Poisson count)."""
    volumes = {day: volume(_records(path)) for day, path in _day_files(landing, folder).items()}

    def expected(day: date) -> float:
        history = [volumes[past] for week in range(1, 5) if (past := day - timedelta(weeks=week)) in volumes]
        return sum(history) / len(history) if len(history) >= 2 else 0.0

    judged = [day for day in volumes if day.weekday() < 5 and math.exp(-expected(day)) < SILENCE_ODDS]
    return max(judged, key=lambda day: (volumes[day], day), default=None)


def _busiest_tool_users(records: list[dict]) -> int:
    """A usage day's volume as the silence rule counts it: the distinct users of its most used tool."""
    users: dict[str, set[str]] = {}
    for record in records:
        users.setdefault(record["tool"], set()).add(record["identity"].lower())
    return max(map(len, users.values()), default=0)


def _busiest(landing: Path, folder: str) -> date | None:
    files = _day_files(landing, folder)
    return max(files, key=lambda day: (len(_records(files[day])), day), default=None)


def _from(landing: Path, folder: str, first: date) -> dict[date, Path]:
    return {day: path for day, path in _day_files(landing, folder).items() if day >= first}


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).timestamp()


# ---- the breakages -----------------------------------------------------------------------------


def _delete_day(folder: str, volume: Callable[[list[dict]], int]) -> Callable[[Path, random.Random], Applied | None]:
    def apply(landing: Path, rng: random.Random) -> Applied | None:
        day = _judged_weekday(landing, folder, volume)
        if day is None:
            return None
        path = landing / folder / f"{day.isoformat()}.ndjson"
        records = len(_records(path))
        path.unlink()
        return Applied((_relative(landing, path),), f"deleted {_relative(landing, path)} ({records} records)")

    return apply


def _baseline_end(landing: Path) -> date:
    """The last day of the velocity baseline window (the organisation's override, else the shipped seed)."""
    override = landing / "reference" / "velocity_programme.csv"
    path = override if override.exists() else SEEDS_DIR / "velocity_programme.csv"
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return date.fromisoformat(next(csv.DictReader(handle))["baseline_end"])


def _empty_day(folder: str, busy: Callable[[list[dict]], bool]) -> Callable[[Path, random.Random], Applied | None]:
    """An explicit zero on a busy weekday. Deployments: after the velocity baseline, which is frozen once
    computed (a later change to its days is reported, not applied), so the oracle's reading of the changed
    landing stays the pipeline's."""

    def apply(landing: Path, rng: random.Random) -> Applied | None:
        after = _baseline_end(landing) if folder == "deployments" else date.min
        day = _busy_weekday(landing, folder, busy, after)
        if day is None:
            return None
        path = landing / folder / f"{day.isoformat()}.ndjson"
        records = len(_records(path))
        path.write_bytes(b"")
        return Applied((_relative(landing, path),), f"emptied {_relative(landing, path)} (had {records} records)")

    return apply


def _duplicate_delivery(folder: str) -> Callable[[Path, random.Random], Applied | None]:
    def apply(landing: Path, rng: random.Random) -> Applied | None:
        day = _busiest(landing, folder)
        if day is None:
            return None
        path = landing / folder / f"{day.isoformat()}.ndjson"
        resend = path.with_name(f"{day.isoformat()}.part2.ndjson")
        shutil.copyfile(path, resend)
        return Applied((_relative(landing, resend),), f"{_relative(landing, path)} delivered again as {resend.name}")

    return apply


def _epoch_usage_seconds(landing: Path, rng: random.Random) -> Applied | None:
    """From a busy weekday on, the usage exporter writes occurred_at as epoch seconds."""
    day = _busy_weekday(landing, "usage", _busy_usage)
    if day is None:
        return None
    touched, records = [], 0
    for path in _from(landing, "usage", day).values():
        events = _records(path)
        for event in events:
            event["occurred_at"] = int(_epoch(event["occurred_at"]))
        _write_records(path, events)
        touched.append(_relative(landing, path))
        records += len(events)
    return Applied(tuple(touched), f"occurred_at in epoch seconds from {day} on ({records} events)")


def _epoch_deployments_millis(landing: Path, rng: random.Random) -> Applied | None:
    """From a busy weekday on, the deploy exporter writes deployed_at as epoch milliseconds."""
    day = _busy_weekday(landing, "deployments", _busy_deploys)
    if day is None:
        return None
    touched, records = [], 0
    for path in _from(landing, "deployments", day).values():
        deploys = _records(path)
        for deploy in deploys:
            deploy["deployed_at"] = int(_epoch(deploy["deployed_at"]) * 1000)
        _write_records(path, deploys)
        touched.append(_relative(landing, path))
        records += len(deploys)
    return Applied(tuple(touched), f"deployed_at in epoch milliseconds from {day} on ({records} deploys)")


def _truncate_lines(landing: Path, rng: random.Random) -> Applied | None:
    """From a busy weekday on, every usage line is cut at a fixed width."""
    day = _busy_weekday(landing, "usage", _busy_usage)
    if day is None:
        return None
    touched, records = [], 0
    for path in _from(landing, "usage", day).values():
        lines = path.read_text(encoding="utf-8").splitlines()
        path.write_text("".join(line[:TRUNCATED_WIDTH] + "\n" for line in lines), encoding="utf-8")
        touched.append(_relative(landing, path))
        records += len(lines)
    return Applied(tuple(touched), f"usage lines cut at {TRUNCATED_WIDTH} characters from {day} on ({records})")


def _append_one_bad_event(change: Callable[[dict], str]) -> Callable[[Path, random.Random], Applied | None]:
    """One extra, broken event in the busiest usage file (a busy day's): the honest events are all still there."""

    def apply(landing: Path, rng: random.Random) -> Applied | None:
        day = _busiest(landing, "usage")
        path = landing / "usage" / f"{day.isoformat()}.ndjson" if day else None
        events = _records(path) if path else []
        if len(events) < BUSY_USAGE:
            return None
        extra = dict(rng.choice(events), event_id=f"extra-{rng.getrandbits(32):08x}")
        with path.open("a", encoding="utf-8") as handle:
            handle.write(change(extra) + "\n")
        return Applied((_relative(landing, path),), f"one bad event added to {len(events)} in {path.name}")

    return apply


def _cut_in_half(event: dict) -> str:
    text = json.dumps(event)
    return text[: len(text) // 2]


def _unknown_tool(event: dict) -> str:
    return json.dumps(event | {"tool": "windsurf", "event_type": "interaction"})


def _unknown_tool_at_scale(landing: Path, rng: random.Random) -> Applied | None:
    """The vendor renames its product: from a busy weekday on, its events name a tool tools.csv lacks."""
    day = _busy_weekday(landing, "usage", _busy_usage)
    if day is None:
        return None
    events = _records(landing / "usage" / f"{day.isoformat()}.ndjson")
    tools = sorted({event["tool"] for event in events}, key=lambda tool: -sum(e["tool"] == tool for e in events))
    tool, renamed, touched = tools[0], 0, []
    for path in _from(landing, "usage", day).values():
        day_events = _records(path)
        for event in day_events:
            if event["tool"] == tool:
                event["tool"] = f"{tool}_enterprise"
                renamed += 1
        _write_records(path, day_events)
        touched.append(_relative(landing, path))
    return Applied(tuple(touched), f"{tool} renamed {tool}_enterprise from {day} on ({renamed} events)")


def _header(path_of: Callable[[Path], Path | None], column: str, renamed: str):
    def apply(landing: Path, rng: random.Random) -> Applied | None:
        path = path_of(landing)
        if path is None or not path.exists():
            return None
        text = path.read_text(encoding="utf-8")
        header, _, rest = text.partition("\n")
        path.write_text(header.replace(column, renamed) + "\n" + rest, encoding="utf-8")
        return Applied((_relative(landing, path),), f"{_relative(landing, path)}: header {column} -> {renamed}")

    return apply


def _latest_roster(landing: Path) -> Path | None:
    return max((landing / "roster").glob("roster_*.csv"), default=None)


def _utf16_usage(landing: Path, rng: random.Random) -> Applied | None:
    day = _busiest(landing, "usage")
    if day is None:
        return None
    path = landing / "usage" / f"{day.isoformat()}.ndjson"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    return Applied((_relative(landing, path),), f"{path.name} saved as UTF-16")


def _latin1_roster(landing: Path, rng: random.Random) -> Applied | None:
    path = _latest_roster(landing)
    text = path.read_text(encoding="utf-8") if path else ""
    if text.isascii():
        return None  # the same bytes in any encoding: nothing to break
    path.write_bytes(text.encode("latin-1", errors="replace"))
    return Applied((_relative(landing, path),), f"{path.name} saved as Latin-1 (accented names)")


def _every_file(landing: Path, suffixes: tuple[str, ...]) -> list[Path]:
    return sorted(path for path in landing.rglob("*") if path.is_file() and path.suffix in suffixes)


def _bom(suffixes: tuple[str, ...]) -> Callable[[Path, random.Random], Applied | None]:
    def apply(landing: Path, rng: random.Random) -> Applied | None:
        touched = [path for path in _every_file(landing, suffixes) if path.stat().st_size]
        for path in touched:
            path.write_bytes(codecs.BOM_UTF8 + path.read_bytes())
        return Applied(tuple(_relative(landing, path) for path in touched), f"a UTF-8 BOM on {len(touched)} files")

    return apply


def _crlf(landing: Path, rng: random.Random) -> Applied | None:
    touched = _every_file(landing, (".csv", ".ndjson"))
    for path in touched:
        path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    return Applied(tuple(_relative(landing, path) for path in touched), f"CRLF line endings in {len(touched)} files")


def _empty_teams(landing: Path, rng: random.Random) -> Applied | None:
    path = landing / "teams" / "teams.csv"
    path.write_bytes(b"")
    return Applied((_relative(landing, path),), "teams/teams.csv is 0 bytes")


def _symlinked(landing: Path, rng: random.Random) -> Applied | None:
    """The busiest usage file and teams.csv live elsewhere; the landing holds symlinks to them."""
    day = _busiest(landing, "usage")
    if day is None:
        return None
    elsewhere = landing.parent / f"{landing.name}-elsewhere"
    touched = [landing / "usage" / f"{day.isoformat()}.ndjson", landing / "teams" / "teams.csv"]
    for path in touched:
        target = elsewhere / _relative(landing, path)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, target)
        path.symlink_to(target)
    return Applied(tuple(_relative(landing, path) for path in touched), f"symlinks into {elsewhere.name}/")


MUTATIONS = (
    Mutation(
        "missing_deployments_day",
        BLOCKS,
        "a busy weekday's deployments file is absent: silence, not zero (an empty file says zero), on a "
        "weekday the organisation deploys enough, over at least two weeks before, to make zero implausible",
        _delete_day("deployments", len),
        gates=("source_not_silent",),
    ),
    Mutation(
        "missing_usage_day",
        BLOCKS,
        "a busy weekday's usage file is absent while a tool had enough users on the same weekday over at "
        "least two weeks before: zero is implausible for that volume",
        _delete_day("usage", _busiest_tool_users),
        gates=("source_not_silent",),
    ),
    Mutation(
        "duplicate_delivery_usage",
        TOLERATED,
        "a resent usage file (.part2) is deduplicated on event_id, latest wins: counted as duplicates, never twice",
        _duplicate_delivery("usage"),
    ),
    Mutation(
        "duplicate_delivery_deployments",
        TOLERATED,
        "a resent deployments file is deduplicated on deployment_id, latest wins",
        _duplicate_delivery("deployments"),
    ),
    Mutation(
        "usage_in_epoch_seconds",
        BLOCKS,
        "every occurred_at from a busy day on is not RFC 3339: every record of those days is quarantined, "
        "far above quarantine_tolerance at this volume",
        _epoch_usage_seconds,
        gates=("quarantine_within_tolerance",),
    ),
    Mutation(
        "deployments_in_epoch_millis",
        BLOCKS,
        "every deployed_at from a busy day on is in epoch milliseconds: all of those days' deploys are "
        "quarantined, far above quarantine_tolerance",
        _epoch_deployments_millis,
        gates=("quarantine_within_tolerance",),
    ),
    Mutation(
        "truncated_lines",
        BLOCKS,
        "every usage line from a busy day on is cut short: none is JSON, all are quarantined",
        _truncate_lines,
        gates=("quarantine_within_tolerance",),
    ),
    Mutation(
        "one_truncated_line",
        TOLERATED,
        "a single cut-short line among a day's events: quarantined with its file and line, a WARN; one "
        "record is no evidence of a broken feed whatever the day's volume",
        _append_one_bad_event(_cut_in_half),
    ),
    Mutation(
        "wrong_grants_header",
        BLOCKS,
        "a CSV whose header lacks a contract column cannot be read as its format: its partition fails",
        _header(lambda landing: landing / "licences" / "grants.csv", "granted_at", "grant_date"),
    ),
    Mutation(
        "wrong_roster_header",
        BLOCKS,
        "a roster snapshot whose header lacks team_id cannot be read as its format",
        _header(_latest_roster, "team_id", "team"),
    ),
    Mutation(
        "unknown_tool_at_scale",
        BLOCKS,
        "a tool missing from tools.csv at scale (the busiest tool renamed from a busy day on): its records "
        "are quarantined, above quarantine_tolerance",
        _unknown_tool_at_scale,
        gates=("quarantine_within_tolerance",),
    ),
    Mutation(
        "one_unknown_tool_event",
        TOLERATED,
        "a single event of a tool tools.csv lacks: quarantined with its reason, a WARN",
        _append_one_bad_event(_unknown_tool),
    ),
    Mutation(
        "usage_in_utf16",
        BLOCKS,
        "NDJSON that is not UTF-8 cannot be read as its format (guessing an encoding could misread identities)",
        _utf16_usage,
    ),
    Mutation(
        "roster_in_latin1",
        BLOCKS,
        "a roster snapshot that is not UTF-8 cannot be read as its format",
        _latin1_roster,
    ),
    Mutation(
        "utf8_bom_csv",
        TOLERATED,
        "a UTF-8 byte-order mark (as spreadsheet tools save) is encoding metadata, not data: identical marts",
        _bom((".csv",)),
    ),
    Mutation(
        "utf8_bom_ndjson",
        TOLERATED,
        "a UTF-8 byte-order mark before NDJSON is not data (RFC 8259 lets a reader ignore it): identical marts",
        _bom((".ndjson",)),
    ),
    Mutation(
        "crlf_line_endings",
        TOLERATED,
        "CRLF line endings (a Windows exporter) end lines as LF does: identical marts",
        _crlf,
    ),
    Mutation(
        "empty_teams_csv",
        BLOCKS,
        "a 0-byte teams.csv has no header: it cannot be read as its format, and an organisation has teams",
        _empty_teams,
    ),
    Mutation(
        "empty_usage_day",
        TOLERATED,
        "an empty usage file is the generic contract's explicit zero (as on a public holiday): published, "
        "the day counts as zero",
        _empty_day("usage", _busy_usage),
        same_marts=False,
    ),
    Mutation(
        "empty_deployments_day",
        TOLERATED,
        "an empty deployments file is the generic contract's explicit zero: published, no deploys that day",
        _empty_day("deployments", _busy_deploys),
        same_marts=False,
    ),
    Mutation(
        "symlinked_files",
        BLOCKS,
        "a landing file that is a symlink out of the landing folder (a sync tool links instead of copying) is "
        "refused unread, since a link can point anywhere on the machine: the run names the file",
        _symlinked,
    ),
    Mutation(
        "missing_pull_requests_day",
        BLOCKS,
        "a busy weekday's pull requests file is absent while the organisation merges enough pull requests on "
        "that weekday to make zero implausible: a silent feed would read as nobody merging",
        _delete_day("pull_requests", len),
        gates=("source_not_silent",),
    ),
    Mutation(
        "duplicate_delivery_pull_requests",
        TOLERATED,
        "a resent pull requests file is deduplicated on pr_id, latest updated_at wins: identical marts",
        _duplicate_delivery("pull_requests"),
    ),
)
