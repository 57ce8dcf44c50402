"""Domain errors the services raise; pages turn them into messages, the API into 4xx."""


class DomainError(Exception):
    """A request that breaks a business rule. Nothing has been changed when it is raised."""

    code = "invalid"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class StateConflict(DomainError):
    """The move no longer fits the dispute as it is now, typically because a concurrent
    request got there first (the offer was already answered): HTTP's 409, as an illegal
    transition is."""

    code = "state_conflict"
    status = 409


class NotAllowed(DomainError):
    """The actor may not do this to this object (pages answer 404 to avoid leaking it)."""

    code = "not_allowed"
    status = 403
