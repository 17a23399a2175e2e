"""Survey responses moved into Qualtrics response exports (three header rows, one CSV per survey)."""

import csv
import io
import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from orchestration.defs.ingest.connectors import generic
from orchestration.tools.demo.vendor.common import QUALTRICS_COLUMNS, SURVEY_ID, Landing, rewrite_csv


def convert_surveys(landing: Landing) -> None:
    surveys: dict[str, list[dict]] = defaultdict(list)
    for path in sorted((landing.root / "surveys").glob("*.csv")):
        data, converted = path.read_bytes(), set()
        for response in generic.parse_survey_responses(data, landing.relative(path)).records:
            if SURVEY_ID.match(response["survey_id"]):
                surveys[response["survey_id"]].append(response)
                converted.add(response["_source_line"])
        rewrite_csv(path, data, converted)
    for survey_id, responses in surveys.items():
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([column for column, _, _ in QUALTRICS_COLUMNS])
        writer.writerow([text for _, text, _ in QUALTRICS_COLUMNS])
        writer.writerow([json.dumps(import_id, separators=(",", ":")) for _, _, import_id in QUALTRICS_COLUMNS])
        writer.writerows(_qualtrics_row(response) for response in responses)
        target = landing.root / "surveys" / "qualtrics" / f"{survey_id}.csv"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(out.getvalue(), encoding="utf-8")


def _qualtrics_time(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def _qualtrics_row(response: dict) -> list[str]:
    submitted, score, email = response["submitted_at"], response["score"], response["identity"] or ""
    group = "3" if score >= 9 else "2" if score >= 7 else "1"  # promoter, passive, detractor
    return [
        _qualtrics_time(submitted - timedelta(minutes=2)),
        _qualtrics_time(submitted),
        "0",
        "",
        "100",
        "120",
        "1",
        _qualtrics_time(submitted),
        response["response_id"],
        "",
        "",
        email,
        "",
        "",
        "",
        "email" if email else "anonymous",
        "EN",
        str(score),
        group,
        response["tool"] or "",
    ]
