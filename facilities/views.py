"""Beds by type per treatment facility: the facility's or district's health staff keep the counts up to date."""
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from audit.services import record
from core.roles import CLINICAL_EDITORS
from core.scoping import scope
from core.views import role_required

from .models import BedCapacity, BedType, Facility

BED_FACILITY_KINDS = [Facility.Kind.PROVINCIAL_HOSPITAL, Facility.Kind.DISTRICT_HEALTH_CENTRE, Facility.Kind.CENTRALISED_FACILITY]


@role_required(CLINICAL_EDITORS)
def beds_edit(request):
    facilities = list(scope(Facility.objects.filter(kind__in=BED_FACILITY_KINDS, is_active=True), request.user).order_by("name"))
    current = {(c.facility_id, c.bed_type): c for c in BedCapacity.objects.filter(facility__in=facilities)}
    if request.method == "POST":
        errors = []
        with transaction.atomic():
            for f in facilities:
                for bed_type in BedType.values:
                    raw = request.POST.get(f"beds-{f.pk}-{bed_type}", "").strip()
                    if raw == "":
                        continue
                    if not raw.isdigit():
                        errors.append(f"{f.name}: {raw}")
                        continue
                    total = int(raw)
                    cap = current.get((f.pk, bed_type))
                    if cap is None:
                        cap = BedCapacity.objects.create(facility=f, bed_type=bed_type, total=total)
                        record(actor=request.user, action="create", obj=cap, changes={"total": (None, total)})
                    elif cap.total != total:
                        BedCapacity.objects.filter(pk=cap.pk).update(total=total, version=cap.version + 1)
                        record(actor=request.user, action="update", obj=cap, changes={"total": (cap.total, total)})
            if errors:
                transaction.set_rollback(True)
        if errors:
            messages.error(request, _("Số giường phải là số nguyên không âm: %(v)s") % {"v": ", ".join(errors)})
        else:
            messages.success(request, _("Đã lưu số giường."))
            return redirect("facilities:beds")
    rows = [{"facility": f, "cells": [(t, label, getattr(current.get((f.pk, t)), "total", "")) for t, label in BedType.choices]} for f in facilities]
    return render(request, "facilities/beds_edit.html", {"rows": rows, "bed_types": BedType.choices})
