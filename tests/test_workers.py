"""`make test` keeps a module's tests on one xdist worker, so a module fixture (often a pipeline run) is built once.

pytest-xdist groups tests by the `@group` suffix it appends to each node id under `--dist loadgroup`; a pytest
that ignores the suffix (9.2 with xdist 3.8) spreads a module over both workers without a word, and every
module fixture runs twice.
"""

import pytest


def test_a_module_keeps_its_tests_on_one_worker(request: pytest.FixtureRequest):
    if not getattr(request.config.option, "loadgroup", False):  # set on the workers of --dist loadgroup
        pytest.skip("only under make test's workers (-n 2 --dist loadgroup)")
    assert request.node.nodeid.endswith(f"@{__name__}"), request.node.nodeid
