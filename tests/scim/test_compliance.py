"""scim2-tester, the SCIM compliance checker, runs every check against /scim/v2 and all pass."""

from __future__ import annotations

import pytest
from scim2_client.engines.wsgi import WSGISCIMClient
from scim2_tester import Status, check_server

pytestmark = pytest.mark.slow


def test_every_scim2_tester_check_passes(app, scim_token):
    client = WSGISCIMClient(
        app, base_url="http://localhost/scim/v2", headers={"Authorization": f"Bearer {scim_token[1]}"}
    )
    results = check_server(client)
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status.name] = counts.get(result.status.name, 0) + 1
    print("scim2-tester:", len(results), "checks;", ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
    failed = [f"{r.title}: {r.status.name}: {r.reason}" for r in results if r.status not in (Status.SUCCESS, Status.SKIPPED)]
    for line in failed:
        print(" ", line)
    assert failed == []
