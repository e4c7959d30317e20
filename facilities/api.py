"""REST API of the facilities app: bed counts per facility and bed type (the same write as the beds page)."""
from rest_framework import serializers
from rest_framework.exceptions import NotFound

from core.api_forms import FormWriteView
from core.roles import CLINICAL_EDITORS
from core.scoping import scope

from . import services
from .models import BedType, Facility
from .views import BED_FACILITY_KINDS


class BedCountSerializer(serializers.Serializer):
    facility = serializers.IntegerField()
    bed_type = serializers.ChoiceField(choices=BedType.choices)
    total = serializers.IntegerField(min_value=0, max_value=1_000_000)


class BedCountsSerializer(serializers.Serializer):
    counts = BedCountSerializer(many=True, allow_empty=False)


class BedCountsView(FormWriteView):
    """Set bed counts (all or nothing, each change audited); a facility outside the jurisdiction → 404."""

    edit_roles = CLINICAL_EDITORS
    input_serializer = BedCountsSerializer
    success_status = 200

    def perform(self, request, data, target, **kwargs):
        ids = {c["facility"] for c in data["counts"]}
        facilities = list(scope(Facility.objects.filter(kind__in=BED_FACILITY_KINDS, is_active=True, pk__in=ids), request.user))
        if len(facilities) != len(ids):
            raise NotFound()
        entered = {(c["facility"], c["bed_type"]): str(c["total"]) for c in data["counts"]}
        changed = services.set_bed_capacities(by=request.user, facilities=facilities, entered=entered)
        return {"changed": changed}
