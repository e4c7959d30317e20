from .context import current_ip, current_user_agent
from .security import client_ip  # noqa: F401  (one function gives the client's address: core/security.py)


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ip_token = current_ip.set(client_ip(request))
        ua_token = current_user_agent.set(request.META.get("HTTP_USER_AGENT", "")[:300])
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(ip_token)
            current_user_agent.reset(ua_token)


class VietnameseFirstMiddleware:
    """Vietnamese unless the user chose English (language cookie), whatever the browser's language.

    Many phones in Vietnam are set to English; the UI must still open in Vietnamese.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Sends settings.CONTENT_SECURITY_POLICY on every response that has none (docs/security.md).

    Scripts come only from our static files: templates carry no inline <script> or on…= handlers
    (tests/core/test_content_security_policy.py keeps it so)."""

    def __init__(self, get_response):
        from django.conf import settings

        self.policy = settings.CONTENT_SECURITY_POLICY
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response
