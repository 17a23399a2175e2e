"""What the demo's pull requests say: titles and commit subjects, the trailers AI coding tools write into commit
messages, branch prefixes, labels, and the prose that names a tool without attributing anything.

The trailers are written here once, as the tools write them (seeds/ai_attribution_rules.csv holds the patterns
the warehouse matches them with). Every text is JSON-escaped once here, so the writer joins escaped pieces
column-wise without a Python loop per pull request.
"""

import json

ORGANISATION = "acme"  # GitHub owner of every repository (services are built from acme/<service>)
DOCS_REPOSITORY = f"{ORGANISATION}/handbook"  # built into no service: its pull requests are never deployed
BASE_BRANCH = "main"
COPILOT_AGENT = "copilot-swe-agent[bot]"  # the Copilot coding agent's GitHub App login

# tool -> commit message trailers it writes (one is chosen per commit), and the branch prefix its agent opens
TRAILERS = {
    "claude_code": (
        "\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)"
        "\n\nCo-Authored-By: Claude <noreply@anthropic.com>",
    ),
    "github_copilot": ("\n\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>",),
    "cursor": ("\n\nMade-with: Cursor", "\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>"),
}
BRANCH_PREFIX = {"claude_code": "claude/", "github_copilot": "copilot/", "cursor": "cursor/"}

# fmt: off
SUBJECTS = (
    "Retry card authorisation once on timeout", "Add pagination to the export endpoint",
    "Fix off-by-one in the weekly rollup", "Cache tenant settings for five minutes",
    "Validate webhook signatures before parsing", "Move feature flags to the config service",
    "Log the request id on every error", "Drop the unused legacy client", "Speed up the nightly reconciliation",
    "Handle empty carts at checkout", "Add metrics for queue depth", "Bump the HTTP client timeout to 10s",
    "Split the settings page into tabs", "Fix flaky test of the scheduler", "Index orders by customer and day",
    "Return 404 for unknown invoices", "Stream large reports instead of buffering them",
    "Rename the price field to unit_price", "Guard against a null shipping address",
    "Add a circuit breaker around the fraud check", "Translate error messages", "Remove the dead A/B experiment",
    "Batch notification sends per user", "Upgrade the database driver", "Document the retry policy",
    "Add an audit log for role changes", "Fix time zone handling of due dates", "Tighten input validation on search",
    "Parallelise image resizing", "Clean up the deploy script",
)
# Commit subjects that name an AI tool in prose: no trailer, so no attribution rule may fire on them.
PROSE_MENTIONS = (
    "Revert copilot suggestion that broke the retry loop", "Fix cursor pagination in the export endpoint",
    "Update CLAUDE.md with the test commands", "Remove the Copilot review comment workaround",
    "Explain in the README why we do not use Cursor rules here",
)
# fmt: on
SLUGS = tuple(subject.lower().replace(" ", "-").replace("/", "-")[:32].strip("-") for subject in SUBJECTS)
REVERT_TITLE_PREFIX = 'Revert "'
LABEL_SETS = ((), ("bug",), ("enhancement",), ("chore",), ("dependencies",))  # labels of a pull request, by index
AI_LABEL = "ai-assisted"


def repository_of(service: str) -> str:
    """The repository a service is built from (services.csv's repository column)."""
    return f"{ORGANISATION}/{service}"


def escaped(text: str) -> str:
    """`text` as it appears between the quotes of a JSON string (UTF-8 kept as it is)."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def labels_json(labels: tuple[str, ...]) -> str:
    return json.dumps(list(labels), ensure_ascii=False, separators=(",", ":"))
