"""Uploaded and generated files leave only through views that have checked sign-in, role and jurisdiction (there is
no public /media/ route; docs/security.md). This sends the file once the view has decided."""
import mimetypes
from pathlib import PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse


def serve_file(field, *, filename: str | None = None, as_attachment: bool = True):
    """The stored file of a FileField: streamed by Django (FileResponse), or by nginx when MEDIA_ACCEL_REDIRECT
    names the internal location that maps to MEDIA_ROOT (X-Accel-Redirect: nginx checks nothing, the view did)."""
    if not field or not field.name:
        raise Http404
    name = filename or PurePosixPath(field.name).name
    accel = getattr(settings, "MEDIA_ACCEL_REDIRECT", "")
    if accel:
        response = HttpResponse(content_type=mimetypes.guess_type(name)[0] or "application/octet-stream")
        response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + quote(field.name)
        disposition = "attachment" if as_attachment else "inline"
        response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(name)}"
        return response
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=as_attachment, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
