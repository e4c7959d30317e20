"""REST API of data protection: subject requests and their decisions, breaches and their notification, retention
(the same writes as the pages, through the same forms and services; each audited by the service)."""
from rest_framework import serializers

from accounts.roles import Role
from core.api_forms import FormWriteView, scoped_or_404
from core.errors import Invalid
from core.scoping import scope

from . import services
from .forms import BreachForm, DecisionForm, NotifiedForm, RequestForm
from .models import Breach, SubjectRequest
from .roles import DP_OFFICERS


class SubjectRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = SubjectRequest
        fields = ["id", "person", "kind", "requester", "received_on", "due_on", "status", "decision", "legal_basis",
                  "answered_on"]


class BreachSerializer(serializers.ModelSerializer):
    class Meta:
        model = Breach
        fields = ["id", "title", "description", "detected_at", "notified_at", "notification_ref", "categories",
                  "affected_people", "affected_records", "measures"]


class SubjectRequestCreateView(FormWriteView):
    """Receive a data subject's request about a person of the jurisdiction (due date from the rules in force)."""

    edit_roles = DP_OFFICERS
    form_class = RequestForm
    output = SubjectRequestSerializer

    def perform(self, request, data, target, **kwargs):
        from people.models import Person

        person = scope(Person.objects.all(), request.user).filter(pk=data.pop("person")).first()
        if person is None:
            raise Invalid("Không có hồ sơ này trong địa bàn của bạn.", "No such record in your jurisdiction.", field="person")
        return services.receive_request(by=request.user, person=person, **data)


class SubjectRequestDecideView(FormWriteView):
    """Decide a subject request (granted, partly, refused with its legal basis)."""

    edit_roles = DP_OFFICERS
    form_class = DecisionForm
    output = SubjectRequestSerializer
    success_status = 200

    def get_target(self, request, pk=None):
        return scoped_or_404(SubjectRequest.objects.all(), request.user, pk=pk)

    def perform(self, request, data, target, **kwargs):
        return services.decide(by=request.user, req=target, **data)


class BreachCreateView(FormWriteView):
    """Record a personal-data breach (the 72-hour notification clock starts at `detected_at`)."""

    edit_roles = DP_OFFICERS
    form_class = BreachForm
    output = BreachSerializer

    def perform(self, request, data, target, **kwargs):
        return services.record_breach(by=request.user, data=data)


class BreachNotifiedView(FormWriteView):
    """Record that a breach was notified to the authority (when, and the letter's number)."""

    edit_roles = DP_OFFICERS
    form_class = NotifiedForm
    output = BreachSerializer
    success_status = 200

    def get_target(self, request, pk=None):
        return scoped_or_404(Breach.objects.all(), request.user, pk=pk)

    def perform(self, request, data, target, **kwargs):
        return services.mark_notified(by=request.user, breach=target, **data)


class RetentionApplyView(FormWriteView):
    """Anonymise the records past their retention period now (irreversible, province-wide: system administrator)."""

    allowed_roles = DP_OFFICERS
    edit_roles = frozenset({Role.SYSADMIN})
    success_status = 200

    def perform(self, request, data, target, **kwargs):
        done = services.apply_retention(by=request.user)
        return {"anonymised": done, "total": sum(done.values())}
