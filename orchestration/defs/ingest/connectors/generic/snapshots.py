"""The small entities of the generic contract, one CSV each: roster snapshots, teams, services, identities,
licence grants and survey responses, parsed row by row."""

import math
from datetime import date

from orchestration.defs.ingest.connectors.generic.rows import (
    SCORE,
    boolean_field,
    one_of,
    optional_field,
    parse_rows,
    required_field,
)
from orchestration.lib.canonical import IDENTITY_TYPES
from orchestration.lib.contracts.generic import Catalogue
from orchestration.lib.contracts.records import Parsed, parse_date, parse_timestamp


def parse_roster(data: bytes, source_file: str, snapshot_date: date) -> Parsed:
    def to_record(row: dict) -> dict:
        return {
            "engineer_id": required_field(row, "engineer_id"),
            "email": required_field(row, "email").lower(),
            "github_login": optional_field(row, "github_login"),
            "full_name": optional_field(row, "full_name"),
            "team_id": required_field(row, "team_id"),
            "manager_email": optional_field(row, "manager_email"),
            "role": optional_field(row, "role"),
            "is_engineer": boolean_field(required_field(row, "is_engineer"), "is_engineer"),
            "snapshot_date": snapshot_date,
        }

    return parse_rows("roster", data, source_file, to_record)


def parse_teams(data: bytes, source_file: str) -> Parsed:
    def to_record(row: dict) -> dict:
        target = required_field(row, "velocity_target")
        if target not in ("3", "10"):
            raise ValueError(f"velocity_target: expected 3 or 10, got {target!r}")
        return {
            "team_id": required_field(row, "team_id"),
            "team_name": required_field(row, "team_name"),
            "org": required_field(row, "org"),
            "parent_org": optional_field(row, "parent_org"),
            "velocity_target": int(target),
        }

    return parse_rows("teams", data, source_file, to_record)


def parse_services(data: bytes, source_file: str) -> Parsed:
    """services.csv; its `repository` column (the repository a service is built from, e.g. `acme/checkout`) is
    optional: a file without it, or an empty cell, gives null."""

    def to_record(row: dict) -> dict:
        valid_to = optional_field(row, "valid_to")
        return {
            "service": required_field(row, "service"),
            "team_id": required_field(row, "team_id"),
            "valid_from": parse_date(required_field(row, "valid_from")),
            "valid_to": parse_date(valid_to) if valid_to else None,
            "repository": optional_field(row, "repository"),
        }

    return parse_rows("services", data, source_file, to_record)


def parse_identities(data: bytes, source_file: str) -> Parsed:
    def to_record(row: dict) -> dict:
        return {
            "identity": required_field(row, "identity"),
            "identity_type": one_of(required_field(row, "identity_type"), IDENTITY_TYPES, "identity_type", "contract"),
            "engineer_id": required_field(row, "engineer_id"),
        }

    return parse_rows("identities", data, source_file, to_record)


def identity_type_of(identity: str, tool_identity_type: str) -> str:
    return "email" if "@" in identity else tool_identity_type


def parse_licence_grants(data: bytes, source_file: str, catalogue: Catalogue) -> Parsed:
    def to_record(row: dict) -> dict:
        identity = required_field(row, "identity")
        tool = one_of(required_field(row, "tool"), catalogue.tools, "tool", "tools.csv")
        revoked_at = optional_field(row, "revoked_at")
        cost = optional_field(row, "monthly_cost_usd")
        try:
            monthly_cost = float(cost) if cost is not None else None
        except ValueError:
            monthly_cost = math.nan
        if monthly_cost is not None and not (math.isfinite(monthly_cost) and monthly_cost >= 0):
            raise ValueError(f"monthly_cost_usd: expected a non-negative number of US dollars, got {cost!r}")
        return {
            "identity": identity,
            "identity_type": identity_type_of(identity, catalogue.tools[tool]),
            "tool": tool,
            "granted_at": parse_timestamp(required_field(row, "granted_at")),
            "revoked_at": parse_timestamp(revoked_at) if revoked_at else None,
            "plan": optional_field(row, "plan"),
            "monthly_cost_usd": monthly_cost,
        }

    return parse_rows("licence_grants", data, source_file, to_record)


def parse_survey_responses(data: bytes, source_file: str) -> Parsed:
    def to_record(row: dict) -> dict:
        score_text = required_field(row, "score")
        if not SCORE.fullmatch(score_text) or not 0 <= int(score_text) <= 10:
            raise ValueError(f"score: expected an integer 0..10, got {score_text!r}")
        return {
            "response_id": required_field(row, "response_id"),
            "survey_id": required_field(row, "survey_id"),
            "identity": optional_field(row, "respondent"),
            "tool": optional_field(row, "tool"),
            "score": int(score_text),
            "submitted_at": parse_timestamp(required_field(row, "submitted_at")),
        }

    return parse_rows("survey_responses", data, source_file, to_record)
