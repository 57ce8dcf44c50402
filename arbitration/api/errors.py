"""One error format for the whole API: ``{"error": {"code", "message", "details"}}``.

Validation errors name the field in ``details``; domain errors keep their own status and
code; an illegal state move is 409. Anything unexpected is logged and answered with a
plain 500 in the same format, never a stack trace.
"""

import logging

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from arbitration import lifecycle
from arbitration.errors import DomainError

logger = logging.getLogger(__name__)


def error_response(status_code: int, code: str, message: str, details=None, headers=None):
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    return Response(body, status=status_code, headers=headers)


def _first_message(detail) -> str:
    """The first human message in a (possibly nested) DRF error detail."""
    if isinstance(detail, dict):
        for name, value in detail.items():
            message = _first_message(value)
            return message if name == "non_field_errors" else f"{name}: {message}"
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def _field_name(view, field: str | None) -> str | None:
    """Services name fields as the browser forms do; a view may map them to API names."""
    return getattr(view, "domain_fields", {}).get(field, field)


def _over_a_limit(exc) -> Response | None:
    """Django's request limits, hit while DRF parses the body, as the client's error."""
    if isinstance(exc, RequestDataTooBig):
        message = _("The request body is larger than %(limit)d bytes (files not counted).") % {
            "limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        }
        return error_response(413, "request_too_large", message)
    if isinstance(exc, TooManyFieldsSent):
        message = _("The request has more than %(limit)d fields.") % {
            "limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        }
        return error_response(400, "too_many_fields", message)
    if isinstance(exc, TooManyFilesSent):
        message = _("The request has more than %(limit)d files.") % {
            "limit": settings.DATA_UPLOAD_MAX_NUMBER_FILES
        }
        return error_response(400, "too_many_files", message)
    return None


def exception_handler(exc, context):
    view = context.get("view")
    if (limited := _over_a_limit(exc)) is not None:
        return limited
    if isinstance(exc, lifecycle.IllegalTransition):
        details = {"state": exc.state, "transition": exc.transition}
        return error_response(status.HTTP_409_CONFLICT, exc.code, str(exc), details)
    if isinstance(exc, DomainError):
        field = _field_name(view, exc.field)
        details = {field: [exc.message]} if field else {}
        return error_response(exc.status, exc.code, exc.message, details)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.ValidationError):
        details = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return error_response(400, "validation_error", _first_message(details), details)
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled error in the API", exc_info=exc)
        return error_response(500, "server_error", _("Something went wrong on our side."))
    details = {}
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        details = {"retry_after": int(exc.wait)}
    code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    if not isinstance(code, str):
        code = "error"
    headers = {
        name: response.headers[name]
        for name in ("WWW-Authenticate", "Retry-After")
        if name in response.headers
    }
    return error_response(response.status_code, code, _first_message(exc.detail), details, headers)
