"""The field app's sync API: /api/field/session/, /api/field/worklists/{name}/, /api/field/upload/.

Token or session authentication, the same roles, scoping (core.scoping through the owners' selectors) and audit
(through the owners' services) as the web screens; answers are gzip-compressed when the phone accepts it.
"""
from django.conf import settings
from django.middleware.csrf import get_token
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import TokenAuthentication
from accounts.roles import HEALTH_READERS, can
from cases.choices import SYMPTOMS
from core.api import HasRole
from diseases.selectors import active_diseases, rule_versions

from . import sync


class FieldView(APIView):
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated, HasRole]
    allowed_roles = HEALTH_READERS
    edit_roles = HEALTH_READERS  # each entry is checked against its own action's roles (sync.STORE)

    def handle_exception(self, exc):
        """The phone tells "sign in again" (401: no session or token, e.g. expired after a day offline) from "this
        account lost access" (403: deactivated, or a role without field work); both keep its queue."""
        if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
            return Response({"code": "signed_out", "message_vi": "Phiên đăng nhập đã hết: hãy đăng nhập lại.",
                             "message_en": "The session has ended: sign in again."}, status=401)
        if isinstance(exc, exceptions.PermissionDenied):
            return Response({"code": "no_access", "message_vi": "Tài khoản này không được dùng ứng dụng thực địa.",
                             "message_en": "This account may not use the field app."}, status=403)
        return super().handle_exception(exc)


class SessionView(FieldView):
    @extend_schema(responses=inline_serializer("FieldSession", {
        "user": serializers.DictField(), "csrf_token": serializers.CharField(), "worklists": serializers.ListField(),
        "rules": serializers.ListField(child=serializers.DictField()), "rules_by_disease": serializers.DictField(),
        "symptoms": serializers.DictField(),
        "settings": serializers.DictField()}))
    def get(self, request):
        """Who the phone's user is, what he may do, the warning-sign rule versions (values and dates) the server
        judges checks by, and the protection settings. Called at every sync: a user who lost access is refused here."""
        user = request.user
        return Response({
            "user": {"id": user.pk, "username": user.username, "name": str(user), "role": user.role},
            "csrf_token": get_token(request),
            "worklists": sync.worklists_for(user),
            "can": {"check": can(user, "cases.follow_up"), "contact_check": can(user, "cases.follow_up"),
                    "new_person": can(user, "people.edit"), "door_visit": can(user, "vaccination.visit"),
                    "dose": can(user, "vaccination.edit"), "rapid_test": can(user, "testing.edit")},
            "visit_outcomes": visit_outcomes(),
            # The dose and rapid-test forms' choices, and the villages a new person may live in (the user's commune).
            "products": sync.products(),
            **form_choices(),
            "villages": sync.villages_for(user),
            "rules": rule_versions(kind="warning_signs"),
            # Each patient is judged by his disease's versions (his record's `disease`); `rules` stays the default
            # disease's for a phone that has not reloaded this script yet.
            "rules_by_disease": {d.code: rule_versions(kind="warning_signs", disease=d) for d in active_diseases()},
            "symptoms": symptom_labels(),
            "settings": {"wipe_after_days": settings.FIELD_WIPE_AFTER_DAYS, "lock_after_minutes": settings.FIELD_LOCK_AFTER_MINUTES},
        })


class WorklistView(FieldView):
    @extend_schema(parameters=[OpenApiParameter("cursor", str, description="from the previous answer; none for a first download")],
                   responses=inline_serializer("FieldWorklistPage", {
                       "worklist": serializers.CharField(), "records": serializers.ListField(child=serializers.DictField()),
                       "cursor": serializers.CharField(), "more": serializers.BooleanField(), "full": serializers.BooleanField(),
                       "ids": serializers.ListField(child=serializers.IntegerField(), required=False)}))
    def get(self, request, name):
        """One page of a worklist (patients, contacts: what changed since the cursor; door, session, screening:
        the door-to-door list, today's vaccination session list, the screening targets not yet sampled, whole);
        the last page lists every id now in it."""
        return Response(sync.download(request.user, name, request.query_params.get("cursor") or None))


class UploadView(FieldView):
    @extend_schema(request=inline_serializer("FieldUpload", {"entries": serializers.ListField(child=serializers.DictField())}),
                   responses=inline_serializer("FieldUploadAnswer", {"answers": serializers.ListField(child=serializers.DictField())}))
    def post(self, request):
        """Store a batch of entries (check, contact_check, person_edit, new_person, door_visit, dose, rapid_test), each
        with its own key and answer: stored, duplicate, refused (with the reason) or conflict (with the server's
        version). A dose or rapid test may name a person added earlier by its new_person entry's key (`person_key`)."""
        entries = request.data.get("entries") if hasattr(request.data, "get") else None
        return Response({"answers": sync.upload(request.user, entries)})


def form_choices() -> dict:
    """The dose and rapid-test forms' choices as [code, label], in the request's language (reference data)."""
    from testing.models import Result, TestKind
    from vaccination.models import DoseKind

    return {"dose_kinds": [[c, str(label)] for c, label in DoseKind.choices],
            "test_results": [[c, str(label)] for c, label in Result.choices],
            "test_kinds": [[c, str(label)] for c, label in TestKind.choices if c in ("rapid_antigen", "rt_pcr")]}


def visit_outcomes() -> list:
    from vaccination.models import Visit

    return [[code, str(label)] for code, label in Visit.Outcome.choices]


def symptom_labels() -> dict:
    """Symptom names as the server writes them into a warning sign (Vietnamese, whatever the request's language)."""
    from django.utils import translation

    with translation.override("vi"):
        return {code: {"vi": str(label), "en": code.replace("_", " ")} for code, label in SYMPTOMS}
