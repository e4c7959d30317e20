"""Beds by type per treatment facility: the facility's or district's health staff keep the counts up to date."""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.roles import CLINICAL_EDITORS
from core.scoping import scope
from core.views import role_required

from . import services
from .models import BedCapacity, BedType, Facility

BED_FACILITY_KINDS = [Facility.Kind.PROVINCIAL_HOSPITAL, Facility.Kind.DISTRICT_HEALTH_CENTRE, Facility.Kind.CENTRALISED_FACILITY]


@role_required(CLINICAL_EDITORS)
def beds_edit(request):
    facilities = list(scope(Facility.objects.filter(kind__in=BED_FACILITY_KINDS, is_active=True), request.user).order_by("name"))
    current = {(c.facility_id, c.bed_type): c for c in BedCapacity.objects.filter(facility__in=facilities)}
    if request.method == "POST":
        entered = {(f.pk, t): request.POST.get(f"beds-{f.pk}-{t}", "") for f in facilities for t in BedType.values}
        try:
            services.set_bed_capacities(by=request.user, facilities=facilities, entered=entered)
        except services.InvalidBedCounts as exc:
            messages.error(request, _("Số giường phải là số nguyên không âm: %(v)s") % {"v": exc.values})
        else:
            messages.success(request, _("Đã lưu số giường."))
            return redirect("facilities:beds")
    rows = [{"facility": f, "cells": [(t, label, getattr(current.get((f.pk, t)), "total", "")) for t, label in BedType.choices]} for f in facilities]
    return render(request, "facilities/beds_edit.html", {"rows": rows, "bed_types": BedType.choices})
