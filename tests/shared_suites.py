"""Finding the conformance suites kept beside the project (``../shared/``)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def shared_suite(folder: str, marker: str, variable: str) -> Path | None:
    """The suite in ``../shared/<folder>`` (or at ``$<variable>``) holding ``marker``; from a git
    worktree, beside the main checkout. None when it is not on this machine."""
    named = os.environ.get(variable)
    candidates = [Path(named)] if named else []
    candidates.append(ROOT.parent / "shared" / folder)
    common = subprocess.run(
        ["git", "rev-parse", "--path-format=absolute", "--git-common-dir"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    if common:
        candidates.append(Path(common).parent.parent / "shared" / folder)
    return next((c for c in candidates if (c / marker).is_file()), None)
