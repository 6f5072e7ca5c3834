"""scim2-tester, the SCIM compliance checker, runs every check against /scim/v2 and all pass."""

from __future__ import annotations

import pytest
from scim2_client.engines.wsgi import WSGISCIMClient
from scim2_tester import Status, check_server

pytestmark = pytest.mark.slow


def test_every_scim2_tester_check_passes(app, scim_token, capsys):
    client = WSGISCIMClient(
        app, base_url="http://localhost/scim/v2", headers={"Authorization": f"Bearer {scim_token[1]}"}
    )
    results = check_server(client)
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status.name] = counts.get(result.status.name, 0) + 1
    summary = f"scim2-tester: {len(results)} checks; " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
    failed = [f"{r.title}: {r.status.name}: {r.reason}" for r in results if r.status != Status.SUCCESS]
    # Straight to the terminal, so that every run (CI's included) shows the summary.
    with capsys.disabled():
        print(f"\n{summary}")
        for failure in failed:
            print(f"  {failure[:240]}")
    assert results and failed == [], summary
