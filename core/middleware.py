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


class RefuseImpossibleCharactersMiddleware:
    """Refuse a request whose parameters or JSON body hold a character no field can store (NUL, lone surrogates,
    control characters), with a clear 400 in Vietnamese and English, before any view or query sees it.

    Django's and DRF's CharFields already refuse NUL, but query parameters, raw POST values and JSON fields reach
    the ORM without them, and PostgreSQL answers NUL with an error (a 500). Checked in one place: here.
    Uploaded files are not read (a spreadsheet is binary; imports check their cells per row).
    A refusal changes nothing, so it may come before the CSRF check.
    """

    MESSAGE_VI = "Dữ liệu gửi lên chứa ký tự không hợp lệ ({char}, trong “{name}”). Hãy xoá ký tự đó rồi gửi lại."
    MESSAGE_EN = "The submitted data contains a character that is not allowed ({char}, in “{name}”). Remove it and try again."

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = self._find(request)
        if found is not None:
            return self._refuse(request, *found)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Multipart form fields: only for views whose POST Django's CSRF check has read already. A csrf_exempt view
        # (the API, an upload that sets its own upload handlers) reads its body itself, and its fields validate.
        if (request.method in ("POST", "PUT", "PATCH") and (request.content_type or "") == "multipart/form-data"
                and not getattr(view_func, "csrf_exempt", False)):
            found = self._first_bad((k, v) for k, vs in request.POST.lists() for v in vs)
            if found is not None:
                return self._refuse(request, *found)
        return None

    @staticmethod
    def _first_bad(pairs):
        from .text import impossible_char

        for key, value in pairs:
            for text in (key, value):
                if isinstance(text, str):
                    ch = impossible_char(text)
                    if ch is not None:
                        return ch, key
        return None

    def _find(self, request):
        # The path too: a public token (/cong-khai/xac-minh/<token>/) reaches a query as typed.
        found = self._first_bad([("URL", request.path)]) or self._first_bad((k, v) for k, vs in request.GET.lists() for v in vs)
        if found or request.method not in ("POST", "PUT", "PATCH"):
            return found
        content_type = request.content_type or ""
        if content_type == "application/x-www-form-urlencoded":  # multipart: see process_view
            return self._first_bad((k, v) for k, vs in request.POST.lists() for v in vs)
        if content_type.endswith("json"):
            import json

            try:
                data = json.loads(request.body or b"null")
            except ValueError:
                return None  # the view answers malformed JSON with its own 400
            return self._first_bad(_walk_json(data))
        return None

    def _refuse(self, request, ch, name):
        import json

        from django.http import HttpResponse

        from .text import describe_char as _describe

        vi = self.MESSAGE_VI.format(char=_describe(ch), name=_describe_name(name))
        en = self.MESSAGE_EN.format(char=_describe(ch), name=_describe_name(name))
        if request.path.startswith("/api/"):
            body = {"detail": f"{vi} / {en}", "message_vi": vi, "message_en": en}
            return HttpResponse(json.dumps(body, ensure_ascii=False), status=400, content_type="application/json")
        from django.shortcuts import render

        return render(request, "core/bad_input.html", {"message_vi": vi, "message_en": en}, status=400)


def _describe_name(name) -> str:
    from .text import impossible_char

    text = str(name)[:60]
    return "".join("?" if impossible_char(c) else c for c in text)


def _walk_json(data, key=""):
    """(key, string) pairs of every string in a JSON document, keys included."""
    stack = [(key, data)]
    while stack:
        k, v = stack.pop()
        if isinstance(v, dict):
            for kk, vv in v.items():
                yield kk, kk
                stack.append((kk, vv))
        elif isinstance(v, list):
            stack.extend((k, item) for item in v)
        elif isinstance(v, str):
            yield k, v
