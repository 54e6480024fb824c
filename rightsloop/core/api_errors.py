"""The error body every API operation may answer with, documented on each operation of the schema."""

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def documented(ok: dict[int, Any]) -> dict[int, Any]:
    """The success responses of an operation plus the errors any operation can give."""
    return {**ok, **ERRORS}
