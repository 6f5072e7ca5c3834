"""Templates hide what the views forbid, with the same policy functions, registered in one place."""

from __future__ import annotations

import importlib
import pathlib
import re

import courseware
from courseware.core import templating

PACKAGE = pathlib.Path(courseware.__file__).parent
TEMPLATES = PACKAGE.parent / "templates"


def policy_modules():
    for path in sorted(PACKAGE.glob("*/policies.py")):
        yield importlib.import_module(f"courseware.{path.parent.name}.policies")


def test_every_policy_module_offers_its_template_policies_through_the_one_registry():
    for module in policy_modules():
        offered = getattr(module, "TEMPLATE_POLICIES", {})
        assert offered.items() <= templating.TEMPLATE_POLICIES.items(), module.__name__


def test_every_policy_a_template_calls_is_registered_for_the_whole_app(app):
    called = set()
    for path in TEMPLATES.rglob("*.html"):
        called |= set(re.findall(r"\b((?:can|may)_[a-z_]+)\(", path.read_text()))
    assert called
    assert called <= set(templating.TEMPLATE_POLICIES)
    for name in called:
        assert app.jinja_env.globals[name] is templating.TEMPLATE_POLICIES[name]
