"""Validate pandas DataFrames against Great Expectations suites; publish them as Data Docs that work offline.

GX 1.x cannot read DuckDB as a SQL source, so callers hand in a DataFrame read from DuckDB or Parquet
(one day's partition or one aggregated mart, never a whole history).
"""

import copy
import html
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations as gx  # noqa: E402  (the setting above must precede the import)
from great_expectations.core.run_identifier import RunIdentifier  # noqa: E402
from great_expectations.core.validation_definition import DATAFRAME_REPLACEMENT_STR  # noqa: E402
from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: E402
from great_expectations.data_context.types.resource_identifiers import (  # noqa: E402
    ExpectationSuiteIdentifier,
    ValidationResultIdentifier,
)
from great_expectations.validator.v1_validator import Validator as SuiteValidator  # noqa: E402

from data_quality.docs_page import publish_offline  # noqa: E402
from orchestration.lib.landing_safety import excerpt  # noqa: E402

SAMPLE_CHARS = 60
# counts and the first unexpected values of each expectation: what a failure message quotes
RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 10}

# Validation results kept per suite. Building Data Docs renders every stored result, so an unbounded
# store would make each nightly run slower than the one before.
RESULTS_KEPT = 5


@dataclass
class FailedExpectation:
    expectation: str
    column: str | None
    severity: str  # "critical" (blocks) or "warning"
    unexpected_count: int | None
    sample: list = field(default_factory=list)

    def describe(self) -> str:
        where = f" on {self.column}" if self.column else ""
        count = f": {self.unexpected_count} unexpected" if self.unexpected_count is not None else ""
        # values come from landing files: quoted in the run log only as short, escaped excerpts
        sample = f", e.g. {[excerpt(value, SAMPLE_CHARS) for value in self.sample[:5]]}" if self.sample else ""
        return f"{self.expectation}{where}{count}{sample}"


@dataclass
class SuiteOutcome:
    suite: str
    rows: int
    evaluated: int
    failures: list[FailedExpectation]

    @property
    def blocking_failures(self) -> list[FailedExpectation]:
        return [failure for failure in self.failures if failure.severity == "critical"]

    @property
    def warnings(self) -> list[FailedExpectation]:
        return [failure for failure in self.failures if failure.severity != "critical"]


def _escaped(value):
    """Every string inside value HTML-escaped (quotes too), containers rebuilt, other values as they are."""
    if isinstance(value, str):
        return html.escape(value, quote=True)
    if isinstance(value, dict):
        return {key: _escaped(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_escaped(item) for item in value)
    return value


def escaped_for_docs(run_result):
    """A copy of a suite's result whose data-derived values (unexpected values, observed values, error
    messages) are HTML-escaped, for the stored copy that Data Docs render.

    GX's renderer escapes the parameters of its sentence templates but writes table cells (the table of
    unexpected values, for one) as they are, so a hostile value in a landing file would become markup in
    the published quality pages. Escaping once before storing makes every cell text; a value that also
    goes through an escaping template shows its entities literally, which is safe and still readable.
    The in-memory result (for the run's own messages) keeps the raw values.
    """
    stored = copy.deepcopy(run_result)
    for expectation_result in stored.results:
        expectation_result.result = _escaped(expectation_result.result or {})
        expectation_result.exception_info = _escaped(expectation_result.exception_info)
    return stored


def _columns(kwargs: dict) -> str | None:
    """The column(s) an expectation is about: one, a list, or a pair (column_A, column_B)."""
    pair = [kwargs[name] for name in ("column_A", "column_B") if kwargs.get(name)]
    return kwargs.get("column") or ",".join(kwargs.get("column_list") or pair) or None


class Validator:
    """One GX file context per check step: results are stored under gx_root, Data Docs under docs_dir."""

    def __init__(self, gx_root: Path, docs_dir: Path):
        gx_root.mkdir(parents=True, exist_ok=True)
        self.results_store = gx_root / "gx" / "uncommitted" / "validations"
        self.docs_dir = docs_dir
        # Frames are read through a pandas source of an in-memory context: in the file context every asset and
        # batch definition added would rewrite its great_expectations.yml, twice per suite on every run. Made
        # first, so that the file context is the one GX uses by default.
        frames_context = gx.get_context(mode="ephemeral")
        self.context = gx.get_context(mode="file", project_root_dir=str(gx_root))
        # Written on every start, relative to the project's root: the stored config then names no absolute
        # path, and a workdir that was copied or moved renders its Data Docs into itself, never into the
        # folder it came from.
        root = Path(self.context.root_directory)
        site_config = {
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": os.path.relpath(docs_dir.resolve(), root.resolve()),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
        if "published" in (self.context.get_config().data_docs_sites or {}):
            self.context.update_data_docs_site(site_name="published", site_config=site_config)
        else:
            self.context.add_data_docs_site(site_name="published", site_config=site_config)
        # no progress bars in the run's log (GX draws them on stderr whatever TQDM_DISABLE says)
        for context in (frames_context, self.context):
            context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.frames = frames_context.data_sources.add_pandas("frames")
        # the suites and results this step validated: the only Data Docs pages it renders (see build_docs)
        self.validated: list[ExpectationSuiteIdentifier | ValidationResultIdentifier] = []

    def validate(self, suite: gx.ExpectationSuite, frame: pd.DataFrame) -> SuiteOutcome:
        """Run one suite over one DataFrame and store its result (Data Docs are built by build_docs)."""
        suite = self.context.suites.add_or_update(suite)  # stored: Data Docs render the suite's page from it
        # Validated without a ValidationDefinition or a Checkpoint: both are stored configs to rewrite on every run,
        # and the definition stores the raw result before the escaped copy below replaces it.
        validator = SuiteValidator(
            batch_definition=self._batch(suite.name),
            batch_parameters={"dataframe": frame},
            result_format=RESULT_FORMAT,
        )
        run_result = validator.validate_expectation_suite(suite)
        run_id = RunIdentifier(run_time=datetime.now(UTC))
        # what a ValidationDefinition records of its run, which the result pages show
        run_result.meta.update(
            run_id=run_id,
            validation_time=run_id.run_time,
            batch_parameters={"dataframe": DATAFRAME_REPLACEMENT_STR},
        )
        identifier = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite.name),
            run_id=run_id,
            batch_identifier=validator.active_batch_id,
        )
        self.context.validation_results_store.set(identifier, escaped_for_docs(run_result))
        self.validated += [ExpectationSuiteIdentifier(name=suite.name), identifier]
        failures: list[FailedExpectation] = []
        for expectation_result in run_result.results:
            if expectation_result.success:
                continue
            config = expectation_result.expectation_config
            details = expectation_result.result or {}
            failures.append(
                FailedExpectation(
                    expectation=config.type,
                    column=_columns(config.kwargs),
                    severity=str(getattr(config.severity, "value", config.severity) or "critical"),
                    unexpected_count=details.get("unexpected_count"),
                    sample=[str(value) for value in details.get("partial_unexpected_list") or []],
                )
            )
        return SuiteOutcome(suite=suite.name, rows=len(frame), evaluated=len(run_result.results), failures=failures)

    def _batch(self, name: str):
        """The whole-DataFrame batch definition of the suite `name` (one asset per suite, made once)."""
        if name in self.frames.get_asset_names():
            return self.frames.get_asset(name).get_batch_definition("whole")
        return self.frames.add_dataframe_asset(name).add_batch_definition_whole_dataframe("whole")

    def build_docs(self) -> None:
        """Prune the store to the last RESULTS_KEPT results of each suite, then render the pages of this step's
        suites and results.

        The pages of earlier results were rendered by the steps that stored them, and GX would render every
        stored result again (five per suite): at the target scale that was most of a gate step's time. GX's
        own index is not built either: the quality page's index is written here from the stored results.
        """
        for suite in self.results_store.glob("*/"):
            results = sorted(suite.glob("*/*/"), key=lambda path: path.name)  # <run name>/<timestamp>/
            for old in results[:-RESULTS_KEPT]:
                shutil.rmtree(old)
                shutil.rmtree(self.docs_dir / "validations" / old.relative_to(self.results_store), ignore_errors=True)
        if self.validated:  # an empty list would render every stored result
            self.context.build_data_docs(
                site_names=["published"], resource_identifiers=self.validated, build_index=False
            )
        publish_offline(self.results_store, self.docs_dir, RESULTS_KEPT)
