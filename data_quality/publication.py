"""Publication contracts: what a published mart must satisfy before BI may read it. Which marts are
published, their keys and their suppressed metrics come from the models' yml (orchestration/lib/published_models.py)."""

import great_expectations as gx
import great_expectations.expectations as gxe

from data_quality.landing import unique
from orchestration.lib.published_models import PublishedModel

EMAIL_LIKE = r"[^@\s]+@[^@\s]+\.[^@\s]+"

RATES = ("change_failure_rate", "adoption_rate", "licence_utilisation", "ai_assisted_pr_share", "pretrend_p")
NPS = ("nps",)
# Numbers that may rightly be negative: an effect and its interval (mart_ai_impact), weeks before adoption.
SIGNED = ("estimate", "ci_low", "ci_high", "event_week")


def publication_suite(mart: PublishedModel, columns: dict[str, str]) -> gx.ExpectationSuite:
    """The contract of a published model (its key and suppressed metrics as its yml declares them);
    `columns` maps each column of the mart to its DuckDB type."""
    expectations: list[gxe.Expectation] = [unique(mart.key)]
    for column in mart.key:
        expectations.append(gxe.ExpectColumnValuesToNotBeNull(column=column))
    for column, data_type in columns.items():
        if column in RATES:
            expectations.append(gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, max_value=1))
        elif column in NPS:
            expectations.append(gxe.ExpectColumnValuesToBeBetween(column=column, min_value=-100, max_value=100))
        elif data_type in ("BIGINT", "INTEGER", "DOUBLE", "FLOAT", "HUGEINT") and column not in (
            "velocity_target",
            *SIGNED,
        ):
            expectations.append(gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0))
        elif data_type == "VARCHAR":
            expectations.append(gxe.ExpectColumnValuesToNotMatchRegex(column=column, regex=EMAIL_LIKE))
    for column in mart.suppressed:
        expectations.append(
            gxe.ExpectColumnValuesToBeNull(
                column=column, row_condition="is_suppressed == True", condition_parser="pandas"
            )
        )
    return gx.ExpectationSuite(name=f"publication__{mart.name}", expectations=expectations)
