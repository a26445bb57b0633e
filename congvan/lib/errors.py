"""The error types every app derives from; the API and the web turn them into clear answers."""

from __future__ import annotations


class CongvanError(Exception):
    """A refusal with a stable machine code and a message for the person who asked."""

    code = "error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidInput(CongvanError):
    code = "invalid"
    status = 400


class NotFound(CongvanError):
    """Also used for objects that exist but are not visible: never reveal another unit's work."""

    code = "not_found"
    status = 404


class Forbidden(CongvanError):
    code = "forbidden"
    status = 403


class Conflict(CongvanError):
    code = "conflict"
    status = 409


class TooLarge(CongvanError):
    code = "too_large"
    status = 413
