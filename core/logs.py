"""Structured logs: a request id in every log record of a request, JSON lines when LOG_FORMAT=json.

`RequestIdMiddleware` (first in MIDDLEWARE) takes the caller's `X-Request-ID` when it is sane (a proxy or load
balancer sets it, so one id follows the request through nginx, gunicorn and the application), or makes one, and
returns it in the response. `RequestIdFilter` copies it, with the request's method and path, into every record.
Jobs get their own id (core.jobs), so a job's log lines can be found together too.
"""
import logging
import re
import uuid
from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="-")
_SANE = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
HEADER = "X-Request-ID"


def new_id() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        rid = incoming if _SANE.match(incoming) else new_id()
        request.request_id = rid
        token = request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response[HEADER] = rid
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id.get()
        return True


def json_formatter(**kwargs):
    """The JSON formatter (python-json-logger), one object per line with these standard fields."""
    from pythonjsonlogger.json import JsonFormatter

    return JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(process)d",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        **kwargs,
    )


def init_sentry(dsn: str | None, *, environment: str, release: str | None = None) -> bool:
    """Optional error tracking. Never sends personal data: no user, no cookies, no request bodies, no local
    variables (a traceback's locals may hold a person's record)."""
    if not dsn:
        return False
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=0.0,
    )
    return True
