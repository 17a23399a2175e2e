"""The pull request oracle's building blocks on their own (tests/pull_request_oracle.py): SQL LIKE as the AI
attribution rules use it, the continuous percentile, and which repository a services.csv entry names. Whole
scenarios are checked against hand-computed values in tests/test_metrics_end_to_end.py."""

import pytest

from tests.pull_request_oracle import like, percentile, same_repository


@pytest.mark.parametrize(
    ("text", "pattern", "matches"),
    [
        ("Add refunds\n\nCo-Authored-By: Claude <noreply@anthropic.com>", "%co-authored-by: claude%", True),
        ("Explain how Claude suggestions are logged", "%co-authored-by: claude%", False),
        ("Copilot-SWE-Agent[bot]", "copilot-swe-agent[bot]", True),
        ("copilot-swe-agentXbotY", "copilot-swe-agent[bot]", False),  # brackets are no character class
        ("copilot/fix-1", "copilot/%", True),
        ("feature/copilot-settings", "copilot/%", False),
        ("AI-Assisted", "ai-assisted", True),
        ("ai-assisted-later", "ai-assisted", False),
        ("ab", "a_", True),
        ("a.b", "a_", False),
        ("a+b", "a+b", True),  # the pattern's other characters stand for themselves
    ],
)
def test_like(text: str, pattern: str, matches: bool):
    assert like(text, pattern) is matches


def test_percentile_interpolates_linearly():
    assert percentile([43, 22, 23], 0.9) == pytest.approx(39.0)
    assert percentile([22, 23, 43, 217], 0.5) == pytest.approx(33.0)
    assert percentile([5.0], 0.9) == 5.0
    assert percentile([], 0.5) is None


@pytest.mark.parametrize(
    ("repository", "built_from", "same"),
    [
        ("acme/billing", "acme/billing", True),
        ("acme/infra-gateway", "Acme/Infra-Gateway", True),  # owner/repo names ignore case
        ("acme/mobile", "mobile", True),  # a bare repo is the repository name of an owner/repo
        ("acme/mobile", "Mobile", True),
        ("acme/mobile", "other/mobile", False),
        ("mobile", "Mobile", False),  # two bare names compare exactly
        ("acme/mobile", "mobile-app", False),
        ("acme/a/b", "b", False),  # one '/' with text on both sides, else a name as spelled
    ],
)
def test_same_repository(repository: str, built_from: str, same: bool):
    assert same_repository(repository, built_from) is same
