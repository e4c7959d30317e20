"""API plumbing: scoped viewsets, role permissions, and errors that carry Vietnamese and English text."""
from rest_framework import mixins, permissions, status, viewsets
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
        return Response(
            {
                "detail": str(exc),
                "code": "edit_conflict",
                "current_version": exc.current.version,
                "changes": [{"field": c.field, "current": str(c.current), "submitted": str(c.submitted)} for c in exc.changes],
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, Invalid):
        return Response({"detail": str(exc), "message_vi": exc.vi, "message_en": exc.en}, status=status.HTTP_400_BAD_REQUEST)
    if _number_out_of_range(exc):
        # A filter or id too large for the database (SQLite: OverflowError; PostgreSQL: "out of range") is bad input.
        return Response(
            {"detail": "Số vượt quá giới hạn / Number out of range", "message_vi": "Số vượt quá giới hạn",
             "message_en": "Number out of range"},
            status=status.HTTP_400_BAD_REQUEST,
        )
    return drf_exception_handler(exc, context)


def _number_out_of_range(exc) -> bool:
    from django.db import DataError

    if isinstance(exc, OverflowError):
        return True
    return isinstance(exc, DataError) and "out of range" in str(exc)
