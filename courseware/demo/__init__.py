"""Demo data: the demo accounts (``demo load``) and a synthetic organisation (``demo generate``)."""
