"""Who is acting and from where, for the audit trail, without passing the request through every service.

Set by core.middleware for web and API requests; imports, jobs and commands run with no address.
"""
from contextvars import ContextVar

current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)
current_user_agent: ContextVar[str] = ContextVar("current_user_agent", default="")
