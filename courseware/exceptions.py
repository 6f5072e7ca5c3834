"""Domain errors raised by services; views turn them into form errors, pages or JSON bodies."""


class DomainError(Exception):
    """Something the person asked for cannot be done; the message says why, in plain words."""

    def __init__(self, message: str, field: str | None = None):
        # Put into words now, in the language of the moment (a lazy message stays lazy no longer).
        message = str(message)
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    pass


class NotOpenYet(NotAllowed):
    """The learner may reach this, but not yet (a lesson opens once the ones before it are done)."""


class Invalid(DomainError):
    pass
