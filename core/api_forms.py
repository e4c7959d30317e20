"""API writes that check their input with the UI's own Django form and call the same service (issue #14 §3).

A `FormWriteView` subclass names the page's form (`form_class`) and says what to do with its cleaned data
(`perform`): the API can then never accept what the page refuses, nor refuse what it accepts. The request body (JSON,
or multipart for files) carries the form's field names; the OpenAPI schema describes them from the form. Errors take
the one error shape of core.api (field errors by field, each with Vietnamese and English text); a Django
ValidationError raised by a service is answered the same way; EditConflict → 409 with the server version.
"""
import json
import re

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import parsers, permissions, serializers, status
from rest_framework.exceptions import ErrorDetail, NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from .api import HasRole


# -- the documented error shape -------------------------------------------------------------------------------------
class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True)
    message_vi = serializers.CharField()
    message_en = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    """The one error shape of every endpoint (core.api.error_body)."""

    detail = serializers.CharField(help_text="“vi / en”")
    message_vi = serializers.CharField()
    message_en = serializers.CharField()
    errors = ErrorItemSerializer(many=True)


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    message_vi = serializers.CharField()
    message_en = serializers.CharField()
    code = serializers.CharField(help_text="edit_conflict")
    current_version = serializers.IntegerField()
    changes = serializers.ListField(child=serializers.DictField())


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Dữ liệu không hợp lệ / Invalid input"),
    403: OpenApiResponse(ErrorSerializer, description="Không có quyền / Wrong role"),
    404: OpenApiResponse(ErrorSerializer, description="Không tìm thấy hoặc ngoài địa bàn / Not found or outside the jurisdiction"),
}
CONFLICT = {409: OpenApiResponse(ConflictSerializer, description="Đã bị người khác sửa / Changed by someone else")}


# -- forms → DRF (schema) and DRF errors (validation) ---------------------------------------------------------------
def _drf_field(f: forms.Field):
    kw = {"required": f.required, "help_text": str(f.label or "")}
    if isinstance(f, forms.ModelMultipleChoiceField):
        return serializers.ListField(child=serializers.IntegerField(), **kw)
    if isinstance(f, forms.ModelChoiceField):
        return serializers.IntegerField(**kw)
    if isinstance(f, forms.MultipleChoiceField):
        return serializers.ListField(child=serializers.CharField(), **kw)
    if isinstance(f, forms.ChoiceField):
        choices = [c for c, _label in (f.choices or []) if c != ""]
        return serializers.ChoiceField(choices=choices, **kw) if choices else serializers.CharField(**kw)
    if isinstance(f, forms.BooleanField):
        return serializers.BooleanField(required=False, help_text=kw["help_text"])
    if isinstance(f, forms.IntegerField):
        return serializers.IntegerField(**kw)
    if isinstance(f, (forms.FloatField, forms.DecimalField)):
        return serializers.FloatField(**kw)
    if isinstance(f, forms.DateTimeField):
        return serializers.DateTimeField(**kw)
    if isinstance(f, forms.DateField):
        return serializers.DateField(**kw)
    if isinstance(f, forms.JSONField):
        return serializers.JSONField(**kw)
    if isinstance(f, forms.FileField):
        return serializers.FileField(**kw)
    return serializers.CharField(allow_blank=not f.required, **kw)


def form_serializer(form_class, name: str, extra: dict | None = None, prefix: str = ""):
    """A DRF serializer describing `form_class`'s fields (for the schema); `extra` adds fields the view reads."""
    attrs = {(f"{prefix}-{k}" if prefix else k): _drf_field(f) for k, f in form_class.base_fields.items()}
    attrs.update(extra or {})
    return type(name, (serializers.Serializer,), attrs)


def form_error(form) -> ValidationError:
    """The form's errors as a DRF ValidationError (field → [message with its code]) for core.api's error shape."""
    detail = {}
    for field, errors in form.errors.as_data().items():
        key = "non_field_errors" if field == "__all__" else field
        detail[key] = [ErrorDetail(" ".join(str(m) for m in e.messages), code=e.code or "invalid") for e in errors]
    return ValidationError(detail)


def django_error(exc: DjangoValidationError) -> ValidationError:
    """A service's Django ValidationError (dataprotection) in the same shape."""
    if hasattr(exc, "error_dict"):
        return ValidationError({k: [ErrorDetail(" ".join(map(str, e.messages)), code=e.code or "invalid") for e in v]
                                for k, v in exc.error_dict.items()})
    return ValidationError([ErrorDetail(str(m), code=getattr(exc, "code", None) or "invalid") for m in exc.messages])


class _QueryDictLike(dict):
    """JSON bodies for a Django form: `getlist` for multiple-choice fields (a JSON list, or one value)."""

    def getlist(self, key, default=None):
        value = self.get(key, default if default is not None else [])
        return value if isinstance(value, list) else [value]


def bound_data(request, form_class=None):
    """request.data as a Django form reads it. A JSON list goes to a multiple-choice field as a list; to any other
    field (a JSON field of a model form) a list or an object goes as its JSON text, as the page's textarea sends it;
    numbers as the text the page would send; false or null as a field left empty (an unticked box)."""
    data = request.data
    if hasattr(data, "getlist"):
        return data
    multiple = {k for k, f in (form_class.base_fields.items() if form_class else ())
                if isinstance(f, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField))}
    out = _QueryDictLike()
    for k, v in (data or {}).items():
        if v is None or v is False:
            continue
        if isinstance(v, list) and k in multiple:
            out[k] = [str(x) for x in v]
        elif isinstance(v, (list, dict)):
            out[k] = json.dumps(v, ensure_ascii=False)
        else:
            out[k] = v if isinstance(v, bool) else str(v)
    return out


def int_or_none(value, field: str = "version"):
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: [ErrorDetail("Phải là số nguyên / Must be a whole number", code="invalid")]})


class FormWriteView(APIView):
    """POST: validate with `form_class` (kwargs from `form_kwargs`), then `perform(request, data, **url_kwargs)`.

    Subclasses set `allowed_roles`/`edit_roles` as the page does, `form_class` (or `input_serializer` for an input
    the page reads field by field), `output` (a serializer for the answer, else an object), and optionally
    `extra_fields` (DRF fields read besides the form, e.g. `version`) and `form_prefix` (the page's form prefix)."""

    permission_classes = [permissions.IsAuthenticated, HasRole]
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser, parsers.FormParser]
    allowed_roles = None
    edit_roles = None
    form_class = None
    form_prefix = ""
    input_serializer = None
    extra_fields: dict = {}
    output = None
    success_status = status.HTTP_201_CREATED
    conflicts = False  # the write takes `version` and may answer 409

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        name = cls.__name__.removesuffix("View").removesuffix("API")
        request_ser = cls.input_serializer
        if request_ser is None and cls.form_class is not None:
            request_ser = form_serializer(cls.form_class, name, dict(cls.extra_fields), cls.form_prefix)
        elif request_ser is not None and cls.extra_fields:
            request_ser = type(name, (request_ser,), dict(cls.extra_fields))
        cls._request_serializer = request_ser
        cls._extra_serializer = type(f"{name}Extra", (serializers.Serializer,), dict(cls.extra_fields)) if cls.extra_fields else None
        responses = {cls.success_status: cls.output or OpenApiTypes.OBJECT, **ERRORS, **(CONFLICT if cls.conflicts else {})}

        def post(self, request, *args, **kwargs):
            return self.handle_write(request, *args, **kwargs)

        post.__doc__ = cls.__doc__
        op_id = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
        cls.post = extend_schema(request=request_ser or OpenApiTypes.NONE, responses=responses, operation_id=op_id,
                                 summary=(cls.__doc__ or "").strip().split("\n")[0] or None)(post)

    def form_kwargs(self, request, **kwargs) -> dict:
        return {}

    def get_target(self, request, **kwargs):
        """The record the write is about (scoped: 404 outside the jurisdiction), or None."""
        return None

    def perform(self, request, data: dict, target, **kwargs):
        raise NotImplementedError

    def clean(self, request, target, **kwargs) -> dict:
        data = {}
        if self._extra_serializer is not None:
            extra = self._extra_serializer(data=request.data)
            extra.is_valid(raise_exception=True)
            data.update(extra.validated_data)
        if self.form_class is not None:
            form = self.form_class(bound_data(request, self.form_class), request.FILES or None, prefix=self.form_prefix or None,
                                   **self.form_kwargs(request, target=target, **kwargs))
            if not form.is_valid():
                raise form_error(form)
            data.update(form.cleaned_data)
        elif self.input_serializer is not None:
            ser = self.input_serializer(data=request.data, context={"request": request, "target": target})
            ser.is_valid(raise_exception=True)
            data.update(ser.validated_data)
        return data

    def handle_write(self, request, *args, **kwargs):
        target = self.get_target(request, **kwargs)
        data = self.clean(request, target, **kwargs)
        try:
            result = self.perform(request, data, target, **kwargs)
        except DjangoValidationError as exc:
            raise django_error(exc)
        if isinstance(result, Response):
            return result
        if self.output is not None and result is not None and not isinstance(result, dict):
            result = self.output(result, context={"request": request}).data
        return Response(result if result is not None else {}, status=self.success_status)


def scoped_or_404(queryset, user, **lookup):
    """One record of the user's jurisdiction, else 404 (the same answer whether it is absent or outside)."""
    from .scoping import scope

    obj = scope(queryset, user).filter(**lookup).first()
    if obj is None:
        raise NotFound()
    return obj


# -- background imports (core.batches): the answer to an upload, and its status ------------------------------------------
class BatchProgressSerializer(serializers.Serializer):
    """A background import: its status, counts, and the first rows in error (line, column, reason in vi and en);
    poll GET /api/import-batches/{id}/ until `status` is done, rejected or failed."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    file_name = serializers.CharField()
    status = serializers.CharField()
    rows_total = serializers.IntegerField()
    rows_done = serializers.IntegerField()
    imported = serializers.IntegerField()
    skipped_duplicates = serializers.IntegerField()
    error_count = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.DictField())
    report = serializers.DictField()


class ImportBatchView(APIView):
    """GET one background import of the caller (or one he may see), with its progress and errors."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: BatchProgressSerializer, **ERRORS})
    def get(self, request, pk: int):
        from .batches import mark_stale
        from .models import ImportBatch

        mark_stale()
        return Response(BatchProgressSerializer(scoped_or_404(ImportBatch.objects.all(), request.user, pk=pk)).data)


class ImportBatchRetryView(FormWriteView):
    """Queue a failed background import again (its uploader only, while its file is kept); else 404."""

    output = BatchProgressSerializer
    success_status = 202

    def perform(self, request, data, target, pk=None):
        from .batches import retry
        from .models import ImportBatch

        batch = scoped_or_404(ImportBatch.objects.all(), request.user, pk=pk)
        if not retry(batch, by=request.user):
            raise NotFound()
        batch.refresh_from_db()
        return batch


def batch_answer(batch) -> Response:
    """202 with the queued batch (or 400 in the one shape when the whole file was refused at once)."""
    data = BatchProgressSerializer(batch).data
    if batch.status == "rejected" and batch.report.get("rejected_vi"):
        vi, en = batch.report["rejected_vi"], batch.report.get("rejected_en", "")
        return Response({"detail": f"{vi} / {en}", "message_vi": vi, "message_en": en,
                         "errors": [{"field": "file", "message_vi": vi, "message_en": en}], "batch": data},
                        status=status.HTTP_400_BAD_REQUEST)
    return Response(data, status=status.HTTP_202_ACCEPTED)
