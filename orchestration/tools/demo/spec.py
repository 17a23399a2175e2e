"""What the demo organisation is made of: the spec a caller sizes it by, the landing files' columns, and the
constants of the world model (shares, rates, names, the planted cases' sizes)."""

from dataclasses import dataclass
from datetime import date

from orchestration.lib.contracts.generic import CSV_HEADERS
from orchestration.lib.landing_files import DEMO_FIRST_DAY

ROSTER_COLUMNS = CSV_HEADERS["roster"]
TEAMS_COLUMNS = CSV_HEADERS["teams"]
SERVICES_COLUMNS = (*CSV_HEADERS["services"], "repository")  # the optional column: the repository it is built from
IDENTITIES_COLUMNS = CSV_HEADERS["identities"]
GRANTS_COLUMNS = CSV_HEADERS["licence_grants"]
ACKNOWLEDGEMENT_COLUMNS = ("signal_type", "entity_id", "period_start", "reason")
SURVEY_COLUMNS = CSV_HEADERS["survey_responses"]
DEPLOYMENT_KEYS = (
    "deployment_id",
    "service",
    "environment",
    "commit_sha",
    "status",
    "deployed_at",
    "triggered_by",
    "lines_changed",
    "rollback_of",
)
PULL_REQUEST_KEYS = (
    "pr_id",
    "repository",
    "number",
    "author",
    "title",
    "head_branch",
    "base_branch",
    "created_at",
    "first_review_at",
    "merged_at",
    "closed_at",
    "merge_commit_sha",
    "additions",
    "deletions",
    "changed_files",
    "labels",
    "commits",
    "updated_at",
)
COMMIT_KEYS = ("sha", "authored_at", "author", "message")
USAGE_KEYS = ("event_id", "occurred_at", "identity", "tool", "event_type", "quantity")
BROKEN_FEED_CASES = (
    "missing_deploy_day",
    "duplicated_usage_day",
    "epoch_millis_as_seconds",
    "malformed_lines",
)

DAY_SECONDS = 86_400
NEVER = 1_000_000  # a day index beyond any data window
SINCE_EVER = -10_000  # join day of the people already on the first snapshot

STATUSES = ("success", "failure", "error", "rolled_back")
SUCCESS, FAILURE, ERROR, ROLLED_BACK = range(4)
ENVIRONMENTS = ("production", "staging")
PRODUCTION, STAGING = range(2)
ROLES = ("engineer", "manager", "designer")
ENGINEER, MANAGER, DESIGNER = range(3)
DEPLOY_BOTS = ("deploy-bot", "github-actions[bot]", "release-train")

# How a deployment came to be (ground truth only; never written to landing).
ORIGINAL, REVERT_COMMIT, RETRY, PREVIOUS_SHA, SPAM, ZERO_LINES, PLANTED_FIRST, PLANTED_REDEPLOY = range(8)

# Rates of the honest world.
UNATTRIBUTED_CONTRACTOR_SHARE = 0.015  # contractor events, at most this share of engineer events
UNATTRIBUTED_NON_ENGINEER_SHARE = 0.012  # manager/designer events, at most this share of engineer events
MAX_ORIGINAL_DEPLOYS_PER_SERVICE_DAY = 10
MAX_NEVER_USED_GRANTS_PER_TOOL_DAY = 3
BOT_EVENTS_PER_BURST = 26
SPAM_DEPLOYS = 24
ZERO_LINE_DEPLOYS = 4
PADDING_GRANTS = 14
PULL_REQUESTS_PER_ENGINEER_WEEKDAY = 1.0  # merged or closed, the team's deploys' own included: ~5 a week
PR_CLOSED_UNMERGED_SHARE = 0.06
PR_DOCS_SHARE = 0.04  # pull requests into the handbook repository, which no service is built from
PR_SPLITTING_COUNT = 26  # tiny pull requests (2-12 lines) the planted splitter merges in one week (guard: >= 15)

# Tool behaviour; tools added to seeds/tools.csv later fall back to the defaults.
PRIMARY_SHARE = {
    "github_copilot": 0.36,
    "claude_code": 0.26,
    "cursor": 0.2,
    "amazon_q": 0.1,
    "internal_chat": 0.08,
}
SECONDARY_PROBABILITY = {"internal_chat": 0.45}
DEFAULT_SECONDARY_PROBABILITY = 0.12
NPS_MEAN = {"claude_code": 8.6, "cursor": 8.0, "github_copilot": 7.1, "amazon_q": 5.4, "internal_chat": 6.3}
PLAN = {"github_copilot": "business", "claude_code": "team-premium", "cursor": "business", "amazon_q": "pro"}
EVENT_WEIGHT = {
    "interaction": 0.30,
    "suggestion_shown": 0.40,
    "suggestion_accepted": 0.16,
    "code_edit_accepted": 0.24,
    "commit_created": 0.06,
    "pull_request_created": 0.02,
}

# fmt: off
FIRST_NAMES = (
    "ada", "alan", "amara", "ana", "arjun", "ben", "bo", "carla", "chen", "chidi", "dara", "david", "elena",
    "emeka", "erik", "fatima", "femi", "grace", "hana", "hugo", "ines", "ivan", "jamal", "jin", "joao",
    "julia", "kai", "kenji", "lara", "leila", "liam", "lina", "luca", "maria", "mateo", "maya", "mehmet",
    "mia", "nadia", "niko", "noor", "olga", "omar", "pablo", "priya", "rafael", "rin", "rosa", "sam",
    "sara", "sofia", "tariq", "tomas", "uma", "victor", "wei", "yara", "yusuf", "zara", "zoe"
)
LAST_NAMES = (
    "adams", "alvarez", "baker", "banda", "costa", "cruz", "diallo", "dubois", "eriksen", "fischer",
    "garcia", "gupta", "haddad", "hansen", "ito", "jensen", "kato", "kim", "kowalski", "kumar", "larsen",
    "lee", "lopez", "martin", "mensah", "meyer", "moreau", "mori", "nakamura", "nguyen", "novak", "obi",
    "okafor", "olsen", "park", "patel", "perez", "petrov", "quinn", "rossi", "sato", "schmidt", "silva",
    "singh", "smith", "suzuki", "tanaka", "taylor", "torres", "wagner", "walker", "wang", "weber", "wilson",
    "wong", "yamamoto", "yilmaz", "young", "zhang"
)
AREAS = (
    "Payments", "Search", "Checkout", "Identity", "Messaging", "Billing", "Catalog", "Logistics", "Fraud",
    "Ads", "Maps", "Pricing", "Onboarding", "Support", "Analytics", "Media", "Notifications", "Storage",
    "Compute", "Networking", "Observability", "Developer Experience", "Security", "Mobile", "Web",
    "Partners", "Risk", "Ledger", "Inventory", "Recommendations"
)
FUNCTIONS = (
    "Core", "API", "Platform", "Experience", "Data", "Infrastructure", "Reliability", "Growth",
    "Integrations", "Tooling"
)
DIVISIONS = (
    "Commerce", "Platform", "Consumer", "Enterprise", "Infrastructure", "Data", "Trust", "Operations"
)
SERVICE_NOUNS = (
    "checkout", "ledger", "search", "auth", "catalog", "pricing", "inventory", "notify", "billing",
    "profile", "gateway", "router", "ingest", "export", "scheduler", "reports", "media", "maps", "fraud",
    "ads"
)
SERVICE_KINDS = (
    "api", "worker", "web", "service", "consumer", "batch"
)
# fmt: on


@dataclass(frozen=True)
class DemoSpec:
    teams: int = 12
    engineers_per_team: int = 8
    days: int = 56
    seed: int = 7
    start: date = DEMO_FIRST_DAY  # a Monday; the baseline window of seeds/velocity_programme.csv starts here
    plant_cases: bool = True  # plant the gaming cases the guards must flag, and list them in the ground truth
    events_per_engineer_day: float = 15.0  # mean usage events per active engineer-day (bench raises it)
    # the planted AI effect: quality-adjusted deploys per engineer per week added from a team's adoption week on
    # (tools/demo/impact.py); 0 plants none, so the impact estimates should find nothing
    ai_effect: float = 0.5
