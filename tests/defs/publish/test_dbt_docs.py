"""dbt docs of a run: generated from the build's own parse, not a second parse of the whole project."""

import json

from tests.conftest import DemoRun


def test_the_docs_reuse_the_parse_of_the_build(demo_run: DemoRun):
    log = demo_run.workspace.dbt_target / "build" / "dbt.log"
    events = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    invocations: dict[str, list[str]] = {}
    for event in events:
        invocations.setdefault(event["info"]["invocation_id"], []).append(event["info"]["msg"])
    [docs] = [messages for messages in invocations.values() if any("dbt docs generate" in msg for msg in messages)]
    assert not [msg for msg in docs if msg.startswith("Unable to do partial parsing")]
