"""The demo through the vendor formats: a generic-contract landing rewritten as vendor exports.

`write_vendor_formats(generic_landing, vendor_landing)` copies a generic landing (as `generate` writes it)
and moves into the vendor folders ingest reads everything a vendor format can say exactly, so that ingest and
dbt build the same marts from either landing. The vendor files follow the public samples in
tests/fixtures/vendor_formats (field names, units, layouts); the values come from the generic files through each
connector's mapping in reverse, so every count round-trips exactly.

What moves (one vendor file per UTC day for the daily sources, empty when the day has nothing):
- usage of github_copilot -> usage/github_copilot_users_1_day/ (NDJSON user-day reports): interaction =
  user_initiated_interaction_count, suggestion_shown = code_generation_activity_count,
  suggestion_accepted = code_acceptance_activity_count; identity = user_login;
- usage of claude_code -> usage/claude_code_analytics/ (pages of at most 1,000 records): interaction =
  num_sessions, code_edit_accepted = tool_actions.*.accepted (spread over the edit tools),
  commit_created = commits_by_claude_code, pull_request_created = pull_requests_by_claude_code;
  identity = actor.email_address of a user_actor;
- usage of cursor -> usage/cursor_daily_usage/ (date in epoch milliseconds): interaction = the request
  counters (spread over chat, composer, agent and cmd-k) with isActive = interaction > 0,
  suggestion_shown = totalTabsShown, suggestion_accepted = totalTabsAccepted, code_edit_accepted =
  totalAccepts; identity = email;
- usage of amazon_q -> usage/amazon_q_user_activity/AWSLogs/.../yyyy/mm/dd/00/*.csv (S3 key layout, Date
  as MM-DD-YYYY, quoted UserId, empty cells for 0, part files of 1,000 users): interaction =
  Chat_MessagesSent, suggestion_shown = Inline_SuggestionsCount, suggestion_accepted =
  Inline_AcceptanceCount, code_edit_accepted = Dev_AcceptanceEventCount; identity = the vendor user id
  (resolved through identities.csv, as in the generic files);
- grants of github_copilot -> licences/github_copilot_seats/ (the seat list as of the last day, pages of
  100; created_at with a -06:00 offset as the API writes it, pending_cancellation_date = the revocation
  date);
- grants of cursor that were never revoked and are dated inside the data window ->
  licences/cursor_team_members/cursor_team_members_<grant day>.json, one file per grant day listing the
  members who joined that day. The members list has no dates: the connector dates a member's grant by
  the file's day, so a file per grant day is what keeps each grant's date (a series of cumulative
  snapshots would read as one grant per snapshot);
- deployments of final state success, failure or error, without rollback_of and with lines_changed not
  0 -> deployments/github_deployment_status/ (an in_progress payload, then the final one). The repository
  full_name is the service id, the deployment id is kept (webhooks carry an integer; the connector takes
  any id, and rollback_of and the guard signals name these ids), triggered_by becomes the creator's
  GitHub login (an email is mapped to the roster's github_login, so it resolves to the same engineer);
- pull requests never reviewed whose author is a GitHub login (or a bot) -> pull_requests/github_rest/ (per
  repository, "list pull requests" pages in the "get a pull request" shape, which carries the sizes and the
  commit count, and one "list commits on a pull request" page per pull request), each with its `closed` webhook
  payload in pull_requests/github_webhook/ as an earlier delivery (updated_at = closed_at, no commit list): the
  REST delivery's later updated_at counts, as the generic record's does;
- spend of claude_code and cursor in US dollars -> model_breakdown[].estimated_cost of the Claude Code analytics
  pages (an API key as an api_actor record) and spend/cursor_usage_events/ (see vendor/spend.py);
- survey responses -> surveys/qualtrics/<survey_id>.csv (Qualtrics' three header rows, times in UTC, the
  tool as embedded data, the respondent as RecipientEmail).

What stays generic, and why:
- roster, teams, services, identities, reference overrides: no vendor format carries them;
- internal_chat usage: no vendor format (an internal tool);
- all usage of a bot-like identity (more than bot_max_value_events_per_minute value-deriving events in a
  UTC minute on some day, found with the same rule ingest applies): vendor reports are daily aggregates
  without minute resolution, so the bot guard cannot see a bot in them; kept as events, the
  bot is flagged and excluded exactly as with the generic landing;
- usage whose identity is not of the vendor's kind (e.g. an email in Copilot usage) or whose activity
  types the vendor does not report: the connector would read it differently;
- Amazon Q user-days with accepted suggestions or edits but no interaction: AWS counts that engineer
  active (accepting is user-initiated), the generic contract does not, so a report row would add an
  active user the generic landing does not have;
- deployments with status rolled_back (no such webhook state), a rollback_of (webhooks have no such
  field; the revert rule needs it), lines_changed = 0 (webhooks have no line counts: the zero-line spam
  rule needs the 0; a count above 0 becomes null, which only fct_deployments.lines_changed shows), or a
  triggered_by email that is not on the roster (a contractor: no GitHub login to give);
- pull requests with a first review (neither GitHub format carries first_review_at: reviews are another
  endpoint) or written with the author's email (GitHub names a pull request's author by login);
- grants of claude_code and amazon_q (no seat export format), cursor grants revoked or dated before the
  data window (a members list cannot say either without widening the run window `aaw` reads from dated
  file names);
- records the generic parsers reject stay where they were, so they are quarantined exactly as before.

The writers of each entity are in vendor/: usage, spend, deployments, grants, surveys, pull_requests (common: the
landing read once, the vendors' constants and small shared helpers).
"""

import shutil
from pathlib import Path

from orchestration.tools.demo.vendor.common import Landing
from orchestration.tools.demo.vendor.deployments import convert_deployments
from orchestration.tools.demo.vendor.grants import convert_grants
from orchestration.tools.demo.vendor.pull_requests import convert_pull_requests
from orchestration.tools.demo.vendor.spend import convert_spend
from orchestration.tools.demo.vendor.surveys import convert_surveys
from orchestration.tools.demo.vendor.usage import convert_usage


def write_vendor_formats(generic_landing: Path, vendor_landing: Path) -> None:
    """Write the generic landing's data into `vendor_landing` through the vendor formats (see module doc)."""
    source, target = Path(generic_landing).resolve(), Path(vendor_landing).resolve()
    if source == target:
        raise ValueError(f"{target}: write the vendor landing beside the generic one, not over it")
    if target.exists() and any(target.iterdir()):
        raise ValueError(f"{target}: not empty; the vendor landing is written into an empty folder")
    shutil.copytree(source, target, dirs_exist_ok=True)
    landing = Landing.read(target)
    convert_usage(landing)
    convert_spend(landing)
    convert_deployments(landing)
    convert_grants(landing)
    convert_surveys(landing)
    convert_pull_requests(landing)
