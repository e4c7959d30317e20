"""Bounded uploads: a request body larger than PHONGDICH_UPLOAD_MAX_MB is refused, in Vietnamese and English, before
Django reads it (so it is neither held in memory nor spooled to disk); the import layer checks the size of what it
was given again (a chunked upload has no Content-Length), and XLSX files are checked before openpyxl opens them
(core.imports.check_xlsx)."""
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape


def max_upload_bytes() -> int:
    return int(getattr(settings, "PHONGDICH_UPLOAD_MAX_MB", 50)) * 1024 * 1024


def too_large_messages() -> tuple[str, str]:
    mb = getattr(settings, "PHONGDICH_UPLOAD_MAX_MB", 50)
    return (f"Tệp quá lớn: tối đa {mb} MB. Hãy chia tệp thành nhiều tệp nhỏ hơn.",
            f"The file is too large: {mb} MB at most. Split it into smaller files.")


class UploadLimitMiddleware:
    # The form fields and multipart framing around the file: a little more than the file itself is allowed.
    SLACK = 1024 * 1024

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_upload_bytes() + self.SLACK:
            return self.refuse(request)
        return self.get_response(request)

    @staticmethod
    def refuse(request) -> HttpResponse:
        vi, en = too_large_messages()
        if request.path.startswith("/api/"):
            # The API's one error shape (core.api), for the import endpoints (core.api_imports).
            response = JsonResponse({"detail": f"{vi} / {en}", "message_vi": vi, "message_en": en,
                                     "errors": [{"field": "file", "message_vi": vi, "message_en": en}]}, status=413)
            response["Connection"] = "close"
            return response
        body = (f'<div id="result"><div class="conflict" id="import-rejected"><strong>{escape(vi)}</strong>'
                f'<p class="muted" lang="en">{escape(en)}</p></div></div>')
        if request.headers.get("HX-Request"):
            # HTMX swaps only successful answers: the upload form shows the refusal where the report would be.
            return HttpResponse(body)
        page = f'<!doctype html><html lang="vi"><meta charset="utf-8"><title>413</title><body>{body}</body></html>'
        response = HttpResponse(page, status=413)
        response["Connection"] = "close"  # the unread body is not drained
        return response
