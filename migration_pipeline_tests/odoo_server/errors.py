"""The exceptions the double raises, named as Odoo's server names them, and how each protocol reports them.

Clients tell errors apart by the exception's qualified name (`odoo.exceptions.MissingError`,
`builtins.ValueError`, `psycopg2.errors.InvalidTextRepresentation`, ...), so the classes below set
`__module__` to Odoo's. Python's own `traceback` then formats them the way the real server's
tracebacks end (`odoo.exceptions.MissingError: <message>`; builtins without a module).

Per protocol (see the contract README, "Error mapping"):
- XML-RPC faults: 4 AccessError, 3 AccessDenied, 2 any other UserError (ValidationError,
  MissingError, ...), 1 everything else with the whole traceback as faultString.
- JSON-RPC: HTTP 200, `error.code` 0, `error.data` = `serialize(exc)`.
- JSON-2: `serialize(exc)` with the status of `http_status` (UserError family), the code of a
  werkzeug HTTPException, else 500.
"""

from __future__ import annotations

import traceback
from typing import Any


class UserError(Exception):
    __module__ = "odoo.exceptions"
    http_status = 422
    fault_code = 2

    def __init__(self, message: str):
        super().__init__(message)


class ValidationError(UserError):
    __module__ = "odoo.exceptions"


class MissingError(UserError):
    __module__ = "odoo.exceptions"
    http_status = 404


class AccessError(UserError):
    __module__ = "odoo.exceptions"
    http_status = 403
    fault_code = 4


class AccessDenied(UserError):
    """A wrong password. Odoo strips its traceback: only the last line is ever shown."""

    __module__ = "odoo.exceptions"
    http_status = 403
    fault_code = 3

    def __init__(self, message: str = "Access Denied"):
        super().__init__(message)


class HTTPException(Exception):
    """werkzeug's: `str()` is "<code> <phrase>: <description>", as its tracebacks show."""

    __module__ = "werkzeug.exceptions"
    code = 500
    phrase = "Internal Server Error"

    def __init__(self, description: str, headers: dict[str, str] | None = None):
        super().__init__(description)
        self.description = description
        self.headers = headers or {}

    def __str__(self) -> str:
        return f"{self.code} {self.phrase}: {self.description}"


class BadRequest(HTTPException):
    __module__ = "werkzeug.exceptions"
    code, phrase = 400, "Bad Request"


class Unauthorized(HTTPException):
    __module__ = "werkzeug.exceptions"
    code, phrase = 401, "Unauthorized"


class NotFound(HTTPException):
    __module__ = "werkzeug.exceptions"
    code, phrase = 404, "Not Found"


class UnprocessableEntity(HTTPException):
    __module__ = "werkzeug.exceptions"
    code, phrase = 422, "Unprocessable Entity"


class InvalidTextRepresentation(Exception):
    """PostgreSQL refusing a value for a column's type (a string where an integer id goes)."""

    __module__ = "psycopg2.errors"


class OperationalError(Exception):
    __module__ = "psycopg2"


# ---- messages the real server words in a particular way ---------------------------------------

def missing(model: str, ids: list[int] | tuple[int, ...], uid: int) -> MissingError:
    return MissingError(f"Record does not exist or has been deleted.\n(Record: {recordset(model, ids)}, User: {uid})")


def recordset(model: str, ids: list[int] | tuple[int, ...]) -> str:
    return f"{model}{tuple(ids)!r}"


def not_null(model_description: str, model: str, field_string: str, field: str) -> ValidationError:
    """A required column left empty: PostgreSQL's NOT NULL violation as Odoo rewords it."""
    return ValidationError(
        "The operation cannot be completed:\n"
        "- Create/update: a mandatory field is not set.\n"
        "- Delete: another model requires the record being deleted. If possible, archive it instead.\n\n"
        f"Model: {model_description} ({model})\n"
        f"Field: {field_string} ({field})\n")


def foreign_key(model_description: str, model: str, constraint: str) -> ValidationError:
    """Deleting a record another one still points at through an `ondelete='restrict'` many2one."""
    return ValidationError(
        "The operation cannot be completed: another model requires the record being deleted. "
        "If possible, archive it instead.\n\n"
        f"Model: {model_description} ({model})\n"
        f"Constraint: {constraint}\n")


def constraint(message: str) -> ValidationError:
    """An SQL constraint, reworded by Odoo's `retrying` as a ValidationError."""
    return ValidationError(f"The operation cannot be completed: {message}")


SALES_GROUPS = ("\n\nThis operation is allowed for the following groups:\n\t- Sales/Administrator\n"
                "\t- Sales/User: Own Documents Only\n\nContact your administrator to request access if necessary.")
_VERBS = {"read": "access", "write": "modify", "create": "create", "unlink": "delete"}


def no_rights(operation: str, description: str, model: str) -> AccessError:
    return AccessError(f"You are not allowed to {_VERBS[operation]} '{description}' ({model}) records.{SALES_GROUPS}")


# ---- reporting -------------------------------------------------------------------------------------

def qualified_name(exc: BaseException) -> str:
    cls = type(exc)
    return f"{cls.__module__}.{cls.__qualname__}"


def formatted_traceback(exc: BaseException) -> str:
    """The exception as Python prints it; AccessDenied, as on Odoo, without the stack."""
    if isinstance(exc, AccessDenied):
        return "".join(traceback.format_exception_only(type(exc), exc))
    if exc.__traceback__ is None:  # built but never raised: raise it so there is a stack to show
        try:
            raise exc
        except BaseException:  # noqa: BLE001 - re-caught on purpose
            pass
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def serialize(exc: BaseException) -> dict[str, Any]:
    """Odoo's `serialize_exception`: the `data` of JSON-RPC errors and the body of JSON-2 errors."""
    if isinstance(exc, HTTPException):
        message, arguments = exc.description, [exc.description, exc.code]
    else:
        arguments = list(exc.args)
        message = str(arguments[0]) if len(arguments) == 1 else str(exc)
    return {"name": qualified_name(exc), "message": message, "arguments": arguments,
            "context": getattr(exc, "context", {}), "debug": formatted_traceback(exc)}


def fault_code(exc: BaseException) -> int:
    return getattr(exc, "fault_code", 1) if isinstance(exc, UserError) else 1


def fault_string(exc: BaseException) -> str:
    """Code 1 carries the traceback; the others only the message."""
    return str(exc) if fault_code(exc) != 1 else formatted_traceback(exc)


def http_status(exc: BaseException) -> int:
    if isinstance(exc, UserError):
        return exc.http_status
    if isinstance(exc, HTTPException):
        return exc.code
    return 500
