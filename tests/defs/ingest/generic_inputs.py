"""What the generic-contract parser tests share: the day they parse, the moment they run and a catalogue."""

from datetime import UTC, date, datetime

from orchestration.lib.contracts.generic import Catalogue

DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 10, tzinfo=UTC)
CATALOGUE = Catalogue(
    tools={"cursor": "email", "github_copilot": "login"},
    activity_types={
        "interaction": frozenset({"cursor", "github_copilot"}),
        "suggestion_accepted": frozenset({"cursor"}),
    },
    value_deriving=frozenset({"suggestion_accepted"}),
)
