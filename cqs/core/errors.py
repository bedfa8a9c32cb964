"""Domain errors that every context raises and every interface (page, API, admin) translates."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refused use case: carries a machine code, a translated message and optional details."""

    code = "domain_error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details


class ValidationFailed(DomainError):
    """Input that breaks a rule; `details` lists every problem as {"field", "message"}."""

    code = "validation_failed"
    http_status = 400


class PermissionRefused(DomainError):
    """The acting user's agency and role do not allow the action."""

    code = "permission_denied"
    http_status = 403


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class Conflict(DomainError):
    code = "conflict"
    http_status = 409
