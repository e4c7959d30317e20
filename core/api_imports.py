"""The API side of a background import (core.batches): upload a file, get its batch; poll the batch by id.

The upload page and its endpoint call the same `core.batches.start_import`, so the limits (PHONGDICH_UPLOAD_MAX_MB,
checked by core.uploads before the body is read), the row checks and "never half an import" are the same. A file or
a row refused answers 400 in the API's one error shape, each row error with its line, column and reason in vi and en.
"""
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from .batches import mark_stale, start_import
from .models import ImportBatch
from .scoping import scope


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV or XLSX, at most PHONGDICH_UPLOAD_MAX_MB (50 MB by default).")
    valid_only = serializers.BooleanField(
        default=False, help_text="Import the valid rows and report the others; otherwise one bad row imports nothing.")


class ImportRowErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    column = serializers.CharField(allow_null=True)
    message_vi = serializers.CharField()
    message_en = serializers.CharField()


class ImportBatchSerializer(serializers.ModelSerializer):
    errors = ImportRowErrorSerializer(many=True, read_only=True, help_text="The first rows in error (200 at most).")

    class Meta:
        model = ImportBatch
        fields = ["id", "kind", "file_name", "status", "rows_total", "rows_done", "imported", "skipped_duplicates",
                  "error_count", "saved", "errors", "report", "created_at", "finished_at"]
        read_only_fields = fields


IMPORT_SCHEMA = extend_schema(
    request={"multipart/form-data": ImportUploadSerializer},
    responses={201: ImportBatchSerializer, 202: ImportBatchSerializer,
               400: inline_serializer("ImportRefused", {"detail": serializers.CharField(), "message_vi": serializers.CharField(),
                                                        "message_en": serializers.CharField(),
                                                        "errors": serializers.ListField(child=serializers.DictField()),
                                                        "batch": ImportBatchSerializer()})},
    description="201: imported; 202: queued or running (poll the batch); 400: the file or its rows refused, nothing "
                "imported unless valid_only (each row error with its line and reason in Vietnamese and English).",
)
BATCH_SCHEMA = extend_schema(responses={200: ImportBatchSerializer})


def batch_answer(batch: ImportBatch) -> Response:
    data = ImportBatchSerializer(batch).data
    if batch.status == ImportBatch.Status.DONE:
        code = status.HTTP_201_CREATED
    elif batch.status in (ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING):
        code = status.HTTP_202_ACCEPTED
    else:
        code = None
    if code is not None and not (batch.status == ImportBatch.Status.DONE and batch.error_count and not batch.saved):
        return Response(data, status=code)
    # Refused (a whole file, or its rows with nothing saved) or failed: the one error shape, the batch alongside.
    report = batch.report or {}
    errors = [{"field": e.get("column") or None, "line": e.get("line"), "message_vi": e.get("message_vi", ""),
               "message_en": e.get("message_en", "")} for e in (batch.errors or [])]
    if report.get("rejected_vi"):
        errors.insert(0, {"field": "file", "line": None, "message_vi": report["rejected_vi"], "message_en": report["rejected_en"]})
    if not errors:
        errors = [{"field": "file", "line": None, "message_vi": "Không nhập được tệp.", "message_en": "The file could not be imported."}]
    vi = "; ".join((f"Dòng {e['line']}: " if e["line"] else "") + e["message_vi"] for e in errors[:5])
    en = "; ".join((f"Line {e['line']}: " if e["line"] else "") + e["message_en"] for e in errors[:5])
    code = status.HTTP_500_INTERNAL_SERVER_ERROR if batch.status == ImportBatch.Status.FAILED else status.HTTP_400_BAD_REQUEST
    return Response({"detail": f"{vi} / {en}", "message_vi": vi, "message_en": en, "errors": errors, "batch": data}, status=code)


def start(request, *, kind: str, options: dict | None = None, mode_option: str = "mode") -> Response:
    """Validate the upload and start the batch as the app's upload page does; answer the batch."""
    ser = ImportUploadSerializer(data=request.data)
    ser.is_valid(raise_exception=True)
    opts = dict(options or {})
    if mode_option:
        opts[mode_option] = "valid_only" if ser.validated_data["valid_only"] else "all"
    batch = start_import(kind=kind, by=request.user, upload=ser.validated_data["file"], options=opts)
    return batch_answer(batch)


def batch(request, *, kind: str, pk) -> Response:
    """One batch of this kind, visible to its uploader (and province-wide users, ImportBatch.scope_for_user)."""
    mark_stale()
    found = None
    if str(pk).isascii() and str(pk).isdigit():
        found = scope(ImportBatch.objects.filter(kind=kind), request.user).filter(pk=pk).first()
    if found is None:
        raise NotFound
    return Response(ImportBatchSerializer(found).data)
