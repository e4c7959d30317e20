"""REST API of contact tracing: contacts (scoped), and the chain of transmission of a case."""
import django_filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import CLINICAL_EDITORS, HEALTH_READERS
from core.api import AuditedRetrieveMixin, HasRole, ScopedViewSetMixin
from core.auditing import record_read
from core.errors import Invalid
from core.scoping import get_for_user, scope, visible_units
from geo import areas
from people.models import Person

from . import chains, services
from .models import Arrival, Contact, ContactCheck, Outbreak, VectorControlAction


class ContactSerializer(serializers.ModelSerializer):
    rule_source = serializers.CharField(source="rule_set.source_document", read_only=True)

    class Meta:
        model = Contact
        fields = [
            "id", "person", "source_case", "generation", "setting", "place", "first_exposure_on", "last_exposure_on",
            "fully_vaccinated", "last_dose_on", "recovered_on", "vaccination_source", "rule_set", "rule_source", "protected",
            "quarantine_days", "quarantine_end", "test_dates", "follow_up_end", "status", "converted_case", "converted_on",
            "last_check_on", "version",
        ]
        read_only_fields = [
            "vaccination_source", "rule_set", "rule_source", "protected", "quarantine_days", "quarantine_end", "test_dates",
            "follow_up_end", "status", "converted_case", "converted_on", "last_check_on", "version",
        ]


class ContactUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version the edit started from (409 when someone saved since).")
    setting = serializers.ChoiceField(choices=Contact._meta.get_field("setting").choices, required=False)
    place = serializers.CharField(required=False, allow_blank=True, max_length=200)
    first_exposure_on = serializers.DateField(required=False)
    last_exposure_on = serializers.DateField(required=False)
    fully_vaccinated = serializers.BooleanField(required=False, allow_null=True)
    last_dose_on = serializers.DateField(required=False, allow_null=True)
    recovered_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class FollowUpSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContactCheck
        fields = ["id", "contact", "day", "has_symptoms", "symptoms", "temperature", "note", "recorded_at"]
        read_only_fields = ["id", "contact", "recorded_at"]


class ConvertSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The contact's version (409 when someone saved since).")
    confirmed_on = serializers.DateField()
    test_kind = serializers.ChoiceField(choices=[("rt_pcr", "RT-PCR"), ("rapid_antigen", "Test nhanh")], default="rt_pcr")
    test = serializers.IntegerField(required=False, allow_null=True,
                                    help_text="A positive test of the person (its kind then gives the test kind).")


class LinkCasesSerializer(serializers.Serializer):
    infector_case = serializers.IntegerField(help_text="The case (F0) who infected the other.")
    infected_case = serializers.IntegerField()
    last_exposure_on = serializers.DateField()
    setting = serializers.ChoiceField(choices=Contact._meta.get_field("setting").choices, default="household")
    place = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


def _case_in_scope(user, pk: int, field: str):
    from cases.models import Case

    case = scope(Case.objects.filter(pk=pk), user).first()
    if case is None:
        raise Invalid("Không tìm thấy ca bệnh (hoặc ngoài địa bàn của bạn).", "No such case (or outside your jurisdiction).",
                      field=field)
    return case


def _stale(contact: Contact, version: int) -> None:
    if contact.version != version:
        from core.concurrency import EditConflict, FieldChange

        raise EditConflict(contact, [FieldChange("version", contact.version, version)])


class OpenCaseFromTestSerializer(serializers.Serializer):
    test = serializers.IntegerField(help_text="A positive test of a person in your jurisdiction.")


class OpenedCaseSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    converted_contact = serializers.IntegerField(allow_null=True, help_text="The contact record converted, if any.")


class OpenCaseFromTestMixin:
    @extend_schema(request=OpenCaseFromTestSerializer, responses={201: OpenedCaseSerializer})
    @action(detail=False, methods=["post"], url_path="open-case-from-test")
    def open_case_from_test(self, request):
        """A positive test opens the person's case: his open contact record is converted, or a new case is opened.
        Opening a case is registering one: CASE_REGISTRARS, as POST /api/cases/ and convert/."""
        from core.roles import CASE_REGISTRARS
        from testing.models import Test

        if not request.user.has_role(CASE_REGISTRARS):
            raise PermissionDenied

        ser = OpenCaseFromTestSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        # A related id in the body: 400 on its field, with the same words whether absent or outside (no existence leak).
        test = scope(Test.objects.select_related("person"), request.user).filter(pk=ser.validated_data["test"]).first()
        if test is None:
            raise Invalid("Không tìm thấy xét nghiệm (hoặc ngoài địa bàn của bạn).", "No such test (or outside your jurisdiction).",
                          field="test")
        contact = services.open_contact_for_test(test)
        case = services.open_case_from_test(by=request.user, test=test)
        return Response({"case": case.pk, "converted_contact": contact.pk if contact else None}, status=201)


class ContactViewSet(OpenCaseFromTestMixin, ScopedViewSetMixin, mixins.ListModelMixin, AuditedRetrieveMixin, mixins.CreateModelMixin,
                     viewsets.GenericViewSet):
    """Contacts in the caller's jurisdiction, with the quarantine computed from the F1 rule in force. Writes: create,
    PATCH (exposure and vaccination facts; `version` required, 409 when stale), daily follow-ups, conversion to a case,
    and linking two existing cases; each with the page's rules, scoping and audit rows."""

    queryset = Contact.objects.select_related("rule_set").order_by("id")
    serializer_class = ContactSerializer
    allowed_roles = HEALTH_READERS
    edit_roles = CLINICAL_EDITORS
    filterset_fields = ["status", "source_case", "person", "generation"]

    def perform_create(self, serializer):
        from cases.models import Case
        from people.models import Person

        d = serializer.validated_data
        # Both ends must be inside the caller's jurisdiction.
        if not scope(Person.objects.filter(pk=d["person"].pk), self.request.user).exists():
            raise ValidationError({"person": "Người ngoài địa bàn / Person outside your jurisdiction"})
        if not scope(Case.objects.filter(pk=d["source_case"].pk), self.request.user).exists():
            raise ValidationError({"source_case": "Ca bệnh ngoài địa bàn / Case outside your jurisdiction"})
        # F2: met through an F1 of the same case (the page's "source_contact"); the service checks the pair.
        raw = self.request.data.get("source_contact") if hasattr(self.request.data, "get") else None
        if raw not in (None, ""):
            f1 = scope(Contact.objects.filter(pk=raw if str(raw).isdigit() else 0), self.request.user).first()
            if f1 is None:
                raise Invalid("Không tìm thấy F1 nguồn (hoặc ngoài địa bàn của bạn).",
                              "No such source F1 (or outside your jurisdiction).", field="source_contact")
            d = {**d, "source_contact": f1, "generation": "F2"}
        # A refusal (core.errors.Invalid) answers the API's one error shape (core.api.exception_handler).
        serializer.instance = services.add_contact(by=self.request.user, **d)

    @extend_schema(request=ContactUpdateSerializer, responses={200: ContactSerializer})
    def partial_update(self, request, pk=None):
        contact = self.get_object()
        ser = ContactUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        version = data.pop("version")
        contact = services.update_contact(by=request.user, contact=contact, data=data, expected_version=version)
        contact.refresh_from_db()
        return Response(ContactSerializer(contact).data)

    @extend_schema(request=FollowUpSerializer, responses={201: FollowUpSerializer, 200: FollowUpSerializer(many=True)})
    @action(detail=True, methods=["get", "post"], url_path="follow-ups")
    def follow_ups(self, request, pk=None):
        """GET: the contact's daily follow-ups. POST: record one day's (one per day; not in the future)."""
        contact = self.get_object()
        if request.method == "GET":
            return Response(FollowUpSerializer(contact.checks.order_by("-day")[:100], many=True).data)
        ser = FollowUpSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        check = services.record_check(by=request.user, contact=contact, **ser.validated_data)
        return Response(FollowUpSerializer(check).data, status=201)

    @extend_schema(request=ConvertSerializer, responses={201: inline_serializer("Converted", {
        "case": serializers.IntegerField(), "contact": ContactSerializer()})})
    @action(detail=True, methods=["post"])
    def convert(self, request, pk=None):
        """The contact tested positive: confirm him as a case in one step (the contact keeps the link)."""
        from core.roles import CASE_REGISTRARS

        if not request.user.has_role(CASE_REGISTRARS):
            raise PermissionDenied
        contact = self.get_object()
        ser = ConvertSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        _stale(contact, ser.validated_data["version"])
        test = None
        if ser.validated_data.get("test") is not None:
            from testing.models import Result, Test

            # As the page's choice: only a positive test of the same person.
            test = Test.objects.filter(pk=ser.validated_data["test"], person=contact.person_id, result=Result.POSITIVE).first()
            if test is None:
                raise Invalid("Không có xét nghiệm dương tính này của người tiếp xúc.",
                              "No such positive test of this contact.", field="test")
        case = services.convert_to_case(by=request.user, contact=contact, confirmed_on=ser.validated_data["confirmed_on"],
                                        test_kind=ser.validated_data["test_kind"], test=test)
        contact.refresh_from_db()
        return Response({"case": case.pk, "contact": ContactSerializer(contact).data}, status=201)

    @extend_schema(request=LinkCasesSerializer, responses={201: ContactSerializer})
    @action(detail=False, methods=["post"], url_path="link-cases")
    def link_cases(self, request):
        """Record that one existing case infected another (both in the caller's jurisdiction); refuses cycles."""
        ser = LinkCasesSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        infector = _case_in_scope(request.user, d["infector_case"], "infector_case")
        infected = _case_in_scope(request.user, d["infected_case"], "infected_case")
        contact = services.link_cases(by=request.user, infector_case=infector, infected_case=infected,
                                      last_exposure_on=d["last_exposure_on"], setting=d["setting"], place=d["place"])
        contact.refresh_from_db()
        return Response(ContactSerializer(contact).data, status=201)


# -- outbreaks --------------------------------------------------------------------------------------
class OutbreakSerializer(serializers.ModelSerializer):
    class Meta:
        model = Outbreak
        fields = ["id", "name", "disease", "detected", "commune", "place_kind", "place_name", "village", "facility",
                  "latitude", "longitude", "started_on", "status", "closed_on", "version"]
        read_only_fields = ["disease", "detected", "status", "closed_on", "version"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from facilities.models import Facility
        from geo.models import Level, Village

        user = getattr(self.context.get("request"), "user", None)
        if getattr(user, "is_authenticated", False):  # the page's choices: the caller's communes, their villages and facilities
            communes = visible_units(user).filter(level=Level.COMMUNE)
            self.fields["commune"].queryset = communes
            self.fields["village"].queryset = Village.objects.filter(commune__in=communes)
            self.fields["facility"].queryset = Facility.objects.filter(unit__in=visible_units(user))


class VectorActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = VectorControlAction
        fields = ["id", "outbreak", "kind", "started_on", "ended_on", "households_targeted", "households_covered",
                  "round_number", "note", "recorded_at"]
        read_only_fields = ["id", "outbreak", "recorded_at"]


class OutbreakCaseSerializer(serializers.Serializer):
    case = serializers.IntegerField(help_text="A case in your jurisdiction.")


class OutbreakFilter(django_filters.FilterSet):
    # A commune of either structure: also the outbreaks on the communes that roll up into it (geo.areas.unit_filter_q).
    commune = django_filters.NumberFilter(method="in_commune")

    class Meta:
        model = Outbreak
        fields = ["status"]

    def in_commune(self, qs, name, value):
        return qs.filter(areas.unit_filter_q(int(value), "commune"))


class OutbreakViewSet(ScopedViewSetMixin, mixins.ListModelMixin, AuditedRetrieveMixin, mixins.CreateModelMixin,
                      viewsets.GenericViewSet):
    """Outbreaks (ổ dịch) of the caller's area. POST opens one; its actions add a case, record a vector-control
    action, and close it when the disease's closing rule allows (the page's three buttons)."""

    queryset = Outbreak.objects.order_by("-started_on", "-id")
    serializer_class = OutbreakSerializer
    allowed_roles = HEALTH_READERS
    edit_roles = CLINICAL_EDITORS
    filterset_class = OutbreakFilter

    def perform_create(self, serializer):
        serializer.instance = services.create_outbreak(by=self.request.user, **serializer.validated_data)

    @extend_schema(request=OutbreakCaseSerializer, responses={200: OutbreakSerializer})
    @action(detail=True, methods=["post"])
    def cases(self, request, pk=None):
        """Add a case to the outbreak (its open contacts join it too)."""
        from cases.models import Case

        outbreak = self.get_object()
        ser = OutbreakCaseSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        case = _case_in_scope(request.user, ser.validated_data["case"], "case")
        services.add_case_to_outbreak(by=request.user, outbreak=outbreak, case=Case.objects.get(pk=case.pk))
        return Response(OutbreakSerializer(outbreak, context={"request": request}).data)

    @extend_schema(request=VectorActionSerializer, responses={201: VectorActionSerializer})
    @action(detail=True, methods=["post"], url_path="vector-actions")
    def vector_actions(self, request, pk=None):
        """A vector-control action (spraying, larva removal…) done for the outbreak."""
        outbreak = self.get_object()
        ser = VectorActionSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        va = services.record_vector_action(by=request.user, outbreak=outbreak, kind=d["kind"], started_on=d["started_on"],
                                           ended_on=d["ended_on"], households_targeted=d["households_targeted"],
                                           households_covered=d["households_covered"], round_number=d.get("round_number", 1),
                                           note=d.get("note", ""))
        return Response(VectorActionSerializer(va).data, status=201)

    @extend_schema(request=None, responses={200: OutbreakSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the outbreak today (refused, with the date it becomes possible, while the closing rule forbids it)."""
        outbreak = self.get_object()
        services.close_outbreak(by=request.user, outbreak=outbreak, on=services.today())
        outbreak.refresh_from_db()
        return Response(OutbreakSerializer(outbreak, context={"request": request}).data)


# -- arrivals -------------------------------------------------------------------------------------------
class NewPersonSerializer(serializers.Serializer):
    """Someone not yet in the registry (the page's person fields); duplicates answer 409 unless accept_new."""

    full_name = serializers.CharField(max_length=150)
    birth_year = serializers.IntegerField(min_value=1900, max_value=2100)
    sex = serializers.ChoiceField(choices=Person._meta.get_field("sex").choices)
    phone = serializers.CharField(max_length=15, required=False, allow_blank=True, default="")
    id_number = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    commune = serializers.IntegerField()


class ArrivalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Arrival
        fields = ["id", "person", "origin", "arrived_on", "means", "has_symptoms", "symptoms", "fully_vaccinated",
                  "follow_up_end", "test_dates", "via", "last_check_on", "last_check_note", "version"]
        read_only_fields = fields


class ArrivalInSerializer(serializers.Serializer):
    person = serializers.IntegerField(required=False, allow_null=True, help_text="A person in your jurisdiction…")
    new_person = NewPersonSerializer(required=False, help_text="…or someone new (one of the two).")
    accept_new = serializers.BooleanField(default=False, help_text="Create the new person despite possible duplicates.")
    origin = serializers.CharField(max_length=200)
    arrived_on = serializers.DateField()
    means = serializers.ChoiceField(choices=Arrival.Means.choices, default=Arrival.Means.CAR)
    symptoms = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    fully_vaccinated = serializers.BooleanField(required=False, allow_null=True, default=None)


class ArrivalCheckSerializer(serializers.Serializer):
    day = serializers.DateField(required=False, help_text="Default: today.")
    has_symptoms = serializers.BooleanField(default=False)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class PossibleDuplicates(APIException):
    status_code = 409
    default_code = "possible_duplicates"

    def __init__(self, people):
        super().__init__()
        self.detail = {
            "detail": "Có thể trùng với hồ sơ đã có / Possible duplicate of existing records",
            "code": "possible_duplicates",
            "possible_duplicates": [{"id": p.pk, "full_name": p.full_name, "birth_year": p.birth_year, "commune": p.commune_id}
                                    for p in people],
        }


def person_for_write(request, d: dict):
    """The person named (scoped: 400 without a hint outside), or the new person found or created as the page does
    (contacts.services.find_or_create_person); 409 with the proposed duplicates unless accept_new."""
    if d.get("person") is not None:
        person = scope(Person.objects.filter(merged_into__isnull=True, pk=d["person"]), request.user).first()
        if person is None:
            raise Invalid("Không tìm thấy (hoặc ngoài địa bàn của bạn).", "Not found (or outside your jurisdiction).", field="person")
        return person
    data = d.get("new_person")
    if not data:
        raise Invalid("Cần người (person) hoặc người mới (new_person).", "A person or a new_person is required.", field="person")
    from geo.models import Level

    commune = visible_units(request.user).filter(level=Level.COMMUNE, pk=data["commune"]).first()
    if commune is None:
        raise Invalid("Xã ngoài địa bàn của bạn.", "Commune outside your jurisdiction.", field="new_person.commune")
    person, dups = services.find_or_create_person(by=request.user, data={**data, "commune": commune}, accept_new=d["accept_new"],
                                                  visible=scope(Person.objects.all(), request.user))
    if person is None:
        raise PossibleDuplicates(dups)
    return person


class ArrivalViewSet(ScopedViewSetMixin, mixins.ListModelMixin, AuditedRetrieveMixin, mixins.CreateModelMixin,
                     viewsets.GenericViewSet):
    """People arriving from areas with the epidemic, followed like contacts. POST records one (an existing person
    or a new one, de-duplicated as on the page); POST {id}/checks/ records a day's follow-up."""

    queryset = Arrival.objects.order_by("-arrived_on", "-id")
    serializer_class = ArrivalSerializer
    allowed_roles = HEALTH_READERS
    edit_roles = CLINICAL_EDITORS
    filterset_fields = ["person", "via"]

    @extend_schema(request=ArrivalInSerializer, responses={201: ArrivalSerializer})
    def create(self, request):
        from django.db import transaction

        ser = ArrivalInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        with transaction.atomic():
            person = person_for_write(request, d)
            arrival = services.record_arrival(by=request.user, person=person, origin=d["origin"], arrived_on=d["arrived_on"],
                                              means=d["means"], symptoms=d["symptoms"], fully_vaccinated=d["fully_vaccinated"])
        return Response(ArrivalSerializer(arrival).data, status=201)

    @extend_schema(request=ArrivalCheckSerializer, responses={200: ArrivalSerializer})
    @action(detail=True, methods=["post"])
    def checks(self, request, pk=None):
        """One day's follow-up of an arrival."""
        arrival = self.get_object()
        ser = ArrivalCheckSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        arrival = services.record_arrival_check(by=request.user, arrival=arrival, day=d.get("day") or services.today(),
                                                has_symptoms=d["has_symptoms"], note=d["note"])
        return Response(ArrivalSerializer(arrival).data)


def _generations(request, name: str) -> int:
    """?up= / ?down=: a whole number of generations, capped; anything else is a 400, not a 500."""
    raw = request.GET.get(name, "50").strip()
    if not (raw.isascii() and raw.isdigit()):
        raise ValidationError({name: f"Cần một số nguyên không âm / A non-negative whole number is required: {raw[:20]!r}"})
    return min(int(raw), chains.MAX_GENERATIONS)


class ChainView(APIView):
    """The chain of transmission of a case: cases up and down with generations, and the open contacts hanging off
    it, in Cytoscape's elements format. Cases outside the caller's jurisdiction are shown without personal data."""

    permission_classes = [HasRole]
    allowed_roles = HEALTH_READERS

    @extend_schema(parameters=[OpenApiParameter("up", int), OpenApiParameter("down", int), OpenApiParameter("contacts", bool)],
                   responses={200: dict})
    def get(self, request, case_pk: int):
        from cases.models import Case

        case = get_for_user(Case.objects.all(), request.user, pk=case_pk)
        up, down = _generations(request, "up"), _generations(request, "down")
        with_contacts = request.GET.get("contacts", "1") not in ("0", "false")
        chain = chains.chain_of(case.pk, up=up, down=down, with_contacts=with_contacts)
        ids = list(chain.generations)
        # One query gives the cases' details, restricted to the caller's jurisdiction; the others stay anonymous.
        info = {c["pk"]: c for c in scope(Case.objects.filter(pk__in=ids), request.user)
                .values("pk", "person__full_name", "confirmed_on", "status", "commune__name")}
        visible = set(info)
        nodes = []
        for cid, gen in sorted(chain.generations.items(), key=lambda kv: (kv[1], kv[0])):
            c = info.get(cid)
            nodes.append({"data": {
                "id": f"case-{cid}", "kind": "case", "case": cid if c else None, "generation": gen, "root": cid == case.pk,
                "label": f"F0 #{cid} {c['person__full_name']}" if c else "F0 (ngoài địa bàn / outside your area)",
                "confirmed_on": c["confirmed_on"].strftime("%d/%m/%Y") if c else None, "status": c["status"] if c else None,
                "commune": c["commune__name"] if c else None,
            }})
        edges = [{"data": {"id": f"e-{cid}", "source": f"case-{s}", "target": f"case-{t}", "contact": cid}} for s, t, cid in chain.case_edges]
        communes = None if request.user.sees_everything else set(visible_units(request.user).values_list("pk", flat=True))
        for ct in chain.contacts:
            # Same rule as core.scoping for Contact.jurisdiction_field = "person__commune".
            mine = communes is None or ct["person__commune_id"] in communes
            nodes.append({"data": {
                "id": f"contact-{ct['id']}", "kind": "contact", "contact": ct["id"] if mine else None,
                "generation": chain.generations.get(ct["source_case_id"], 0) + 1, "status": ct["status"],
                "label": f"{ct['generation']} {ct['person__full_name']}" if mine else ct["generation"],
            }})
            edges.append({"data": {"id": f"c-{ct['id']}", "source": f"case-{ct['source_case_id']}", "target": f"contact-{ct['id']}",
                                   "contact": ct["id"]}})
        record_read(by=request.user, obj=case, note=f"chain: {len(ids)} cases, {len(chain.contacts)} contacts",
               records={"cases": sorted(visible)})
        return Response({"case": case.pk, "generations_up": -min(chain.generations.values()),
                         "generations_down": max(chain.generations.values()), "elements": {"nodes": nodes, "edges": edges}})
