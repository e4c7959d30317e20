"""REST API of contact tracing: contacts (scoped), and the chain of transmission of a case."""
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import CLINICAL_EDITORS, HEALTH_READERS
from core.api import AuditedRetrieveMixin, HasRole, ScopedViewSetMixin
from core.auditing import record_read
from core.errors import Invalid
from core.scoping import get_for_user, scope, visible_units

from . import chains, services
from .models import Contact


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


class ContactViewSet(ScopedViewSetMixin, mixins.ListModelMixin, AuditedRetrieveMixin, mixins.CreateModelMixin,
                     viewsets.GenericViewSet):
    """Contacts in the caller's jurisdiction, with the quarantine computed from the F1 rule in force."""

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
        try:
            serializer.instance = services.add_contact(by=self.request.user, **d)
        except Invalid as exc:
            raise ValidationError({exc.field or "detail": [exc.vi, exc.en]})


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
