"""API plumbing: scoped viewsets, role permissions, and errors that carry Vietnamese and English text."""
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.exceptions import APIException, NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .auditing import record_read
from .concurrency import EditConflict
from .errors import Invalid
from .scoping import scope


class HasRole(permissions.BasePermission):
    """Uses the view's `allowed_roles` (read) and `edit_roles` (write)."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        write = request.method not in permissions.SAFE_METHODS
        roles = getattr(view, "edit_roles", None) if write else getattr(view, "allowed_roles", None)
        if write and roles is None:
            roles = getattr(view, "allowed_roles", None)
        return roles is None or user.has_role(roles)


class ScopedViewSetMixin:
    permission_classes = [permissions.IsAuthenticated, HasRole]
    allowed_roles = None
    edit_roles = None

    def base_queryset(self):
        return self.queryset.all()

    def get_queryset(self):
        qs = scope(self.base_queryset(), self.request.user)
        # Every list of a model with a disease takes ?disease=<code> (docs/diseases.md); without it, all diseases.
        code = getattr(self.request, "query_params", {}).get("disease")
        if code and any(f.name == "disease" for f in qs.model._meta.get_fields()):
            qs = qs.filter(disease__code=code)
        return qs


class AuditedRetrieveMixin(mixins.RetrieveModelMixin):
    """GET of one record writes a "view" audit row (with the record's person) before answering it."""

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        record_read(by=request.user, obj=obj)
        return Response(self.get_serializer(obj).data)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


def exception_handler(exc, context):
    if isinstance(exc, EditConflict):
        vi, _sep, en = str(exc).partition(" / ")
        return Response(
            {
                "detail": str(exc),
                "message_vi": vi,
                "message_en": en or vi,
                "code": "edit_conflict",
                "current_version": exc.current.version,
                "changes": [{"field": c.field, "current": str(c.current), "submitted": str(c.submitted)} for c in exc.changes],
                "errors": [{"field": c.field, "message_vi": "Người khác đã sửa trường này", "message_en": "Changed by someone else"}
                           for c in exc.changes] or [{"field": None, "message_vi": vi, "message_en": en or vi}],
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, Invalid):
        return Response({"detail": str(exc), "message_vi": exc.vi, "message_en": exc.en,
                         "errors": [{"field": exc.field, "message_vi": exc.vi, "message_en": exc.en}]},
                        status=status.HTTP_400_BAD_REQUEST)
    if _number_out_of_range(exc):
        # A filter or id too large for the database (SQLite: OverflowError; PostgreSQL: "out of range") is bad input.
        return Response(
            {"detail": "Số vượt quá giới hạn / Number out of range", "message_vi": "Số vượt quá giới hạn",
             "message_en": "Number out of range"},
            status=status.HTTP_400_BAD_REQUEST,
        )
    from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
    from django.http import Http404

    if isinstance(exc, Http404):  # a scoped lookup: the same words whether the record is absent or outside
        exc = NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, APIException):
        response.data = error_body(exc, response.data)
    return response


# -- the one error shape ----------------------------------------------------------------------------------------------
# Every error answer is an object {"detail", "message_vi", "message_en", "errors": [{"field", "message_vi",
# "message_en"}]}; a serializer's field errors also stay keyed by field name as DRF gives them (clients that read
# `{"field": ["…"]}` keep working). DRF's own messages are English (or in the request's language): they are mapped by
# their code to a Vietnamese and an English text; a message of ours ("vi / en", core.errors.Invalid) is split.
FIELD_MESSAGES = {
    "required": ("Thiếu trường bắt buộc.", "This field is required."),
    "null": ("Trường này không được để trống.", "This field may not be null."),
    "blank": ("Trường này không được để trống.", "This field may not be blank."),
    "invalid": ("Giá trị không hợp lệ.", "Invalid value."),
    "invalid_choice": ("Giá trị không nằm trong danh sách cho phép.", "Not one of the allowed values."),
    "max_length": ("Quá dài.", "Too long."),
    "min_length": ("Quá ngắn.", "Too short."),
    "max_value": ("Giá trị quá lớn.", "Value too large."),
    "min_value": ("Giá trị quá nhỏ.", "Value too small."),
    "max_digits": ("Quá nhiều chữ số.", "Too many digits."),
    "max_decimal_places": ("Quá nhiều chữ số thập phân.", "Too many decimal places."),
    "max_whole_digits": ("Quá nhiều chữ số phần nguyên.", "Too many digits before the decimal point."),
    "does_not_exist": ("Không tìm thấy (hoặc ngoài địa bàn của bạn).", "Not found (or outside your jurisdiction)."),
    "incorrect_type": ("Sai kiểu dữ liệu.", "Wrong type of value."),
    "not_a_list": ("Phải là một danh sách.", "Expected a list."),
    "not_a_dict": ("Phải là một đối tượng.", "Expected an object."),
    "empty": ("Danh sách không được rỗng.", "The list may not be empty."),
    "unique": ("Giá trị này đã có.", "This value already exists."),
    "date": ("Ngày không hợp lệ (YYYY-MM-DD).", "Invalid date (YYYY-MM-DD)."),
    "parse_error": ("Nội dung gửi lên không đọc được (JSON sai).", "The request body could not be read (malformed JSON)."),
    "unsupported_media_type": ("Kiểu nội dung không được hỗ trợ.", "Unsupported media type."),
    "not_authenticated": ("Chưa đăng nhập.", "Not authenticated."),
    "authentication_failed": ("Đăng nhập không thành công.", "Authentication failed."),
    "permission_denied": ("Không có quyền.", "Not allowed."),
    "not_found": ("Không tìm thấy hoặc ngoài địa bàn.", "Not found or outside your jurisdiction."),
    "method_not_allowed": ("Phương thức không được phép.", "Method not allowed."),
    "not_acceptable": ("Không trả lời được theo định dạng yêu cầu.", "Cannot answer in the requested format."),
    "throttled": ("Quá nhiều yêu cầu.", "Too many requests."),
}


def _bilingual(message, code) -> tuple[str, str]:
    text = str(message)
    if " / " in text:
        vi, en = text.split(" / ", 1)
        return vi, en
    if code in FIELD_MESSAGES:
        return FIELD_MESSAGES[code]
    return f"Dữ liệu không hợp lệ: {text}", text


def _flatten(data, field=None):
    """(field, message, code) of every error in DRF's nested detail."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _flatten(value, key if field is None or key == "non_field_errors" else f"{field}.{key}")
    elif isinstance(data, list):
        for item in data:
            yield from _flatten(item, field)
    else:
        yield (None if field in (None, "non_field_errors", "detail") else field), data, getattr(data, "code", None)


def error_body(exc, data) -> dict:
    if isinstance(data, dict) and "message_vi" in data:
        return data
    errors = []
    for field, message, code in _flatten(exc.detail if hasattr(exc, "detail") else data):
        if field in ("message_vi", "message_en", "code") or str(message).isdigit():
            continue  # our own keys, or an id given alongside the error (people: "existing_id")
        vi, en = _bilingual(message, code)
        errors.append({"field": field, "message_vi": vi, "message_en": en})
    if not errors:
        errors.append({"field": None, "message_vi": "Yêu cầu không hợp lệ.", "message_en": "Invalid request."})
    message_vi = "; ".join((f"{e['field']}: " if e["field"] else "") + e["message_vi"] for e in errors[:5])
    message_en = "; ".join((f"{e['field']}: " if e["field"] else "") + e["message_en"] for e in errors[:5])
    body = dict(data) if isinstance(data, dict) else {}
    body.setdefault("detail", f"{message_vi} / {message_en}")
    body.update({"message_vi": message_vi, "message_en": message_en, "errors": errors})
    return body


def _number_out_of_range(exc) -> bool:
    from django.db import DataError

    if isinstance(exc, OverflowError):
        return True
    return isinstance(exc, DataError) and "out of range" in str(exc)
