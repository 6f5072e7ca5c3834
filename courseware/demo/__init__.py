"""Demo data: the demo accounts (``demo load``) and a synthetic organisation (``demo generate``)."""

from courseware.exceptions import DomainError


class DemoRefused(DomainError):
    """A demo command cannot do what it was asked; said on the command line, in English, as all
    command-line output is (the demo commands have no page)."""
