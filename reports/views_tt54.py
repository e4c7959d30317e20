"""Circular 54 pages: the archive of weekly/monthly summary reports, generate or send one, download it again, and
the timeliness and completeness of the reporting units (late units listed for the Department of Health)."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.services import record
from core.errors import Invalid
from core.parsing import ParseError, parse_date
from core.roles import CASE_REGISTRARS, HEALTH_READERS
from core.scoping import scope, visible_units
from core.views import role_required, scoped_object
from geo import areas

from . import circular54, services
from .models import Circular54Report

STATUS_VI = {"on_time": gettext_lazy("Đúng hạn"), "late": gettext_lazy("Muộn"), "missing": gettext_lazy("Chưa gửi (quá hạn)"),
             "pending": gettext_lazy("Chưa đến hạn")}


def _own_unit(user):
    unit = user.jurisdiction_unit
    if unit is None or user.sees_everything:
        return circular54.province()
    return unit


def _units_for_picker(user, structure: str, limit: int = 500) -> list:
    """The reporting units the user may pick, those of the map shown first (two queries)."""
    units = visible_units(user).filter(level__in=["province", "district", "commune"]).order_by("path")
    first = list(units.filter(structure=structure)[:limit])
    return first + list(units.exclude(structure=structure)[:limit - len(first)]) if len(first) < limit else first


@role_required(HEALTH_READERS)
def tt54(request):
    kind = request.GET.get("loai") if request.GET.get("loai") in Circular54Report.Kind.values else "weekly"
    try:
        anchor = parse_date(request.GET.get("ngay") or "") or timezone.localdate() - timezone.timedelta(days=7 if kind == "weekly" else 31)
    except ParseError as exc:
        messages.error(request, exc.vi)
        anchor = timezone.localdate()
    start, end = circular54.period_bounds(kind, anchor)
    unit = _own_unit(request.user)
    # "Theo địa giới": today's map by default; the pre-2025 view lists the communes of that time (for the periods
    # before 01/07/2025 the reports the pre-2025 communes sent), a record counting in the commune of its time.
    structure = areas.structure_from_request(request)
    state = circular54.timeliness(kind, unit, start, end, structure=structure) if unit is not None else None
    if state:
        import datetime as dt

        for r in state["rows"]:
            r["status_vi"] = STATUS_VI[r["status"]]
            r["sent"] = timezone.localtime(dt.datetime.fromisoformat(r["sent_at"])) if r["sent_at"] else None
        state["due_date"] = dt.date.fromisoformat(state["due"]) if state["due"] else None
    qs = scope(Circular54Report.objects.select_related("unit"), request.user)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "reports/tt54.html", {
        "page": page, "kind": kind, "kinds": Circular54Report.Kind.choices, "anchor": anchor, "start": start, "end": end,
        "unit": unit, "state": state, "structure": structure,
        "can_submit": request.user.has_role(CASE_REGISTRARS) and unit is not None and unit.level == "commune",
        "units": _units_for_picker(request.user, structure),
    })


@role_required(HEALTH_READERS)
@require_POST
def tt54_generate(request):
    kind = request.POST.get("loai", "weekly")
    submit = bool(request.POST.get("gui"))
    if submit and not request.user.has_role(CASE_REGISTRARS):
        raise PermissionDenied
    try:
        anchor = parse_date(request.POST.get("ngay") or "") or timezone.localdate()
        unit_id = request.POST.get("don_vi")
        unit = (visible_units(request.user).filter(pk=unit_id).first() if unit_id else None) or _own_unit(request.user)
        if unit is None:
            raise Http404
        structure = request.POST.get("structure") if request.POST.get("structure") in areas.STRUCTURES else None
        report = services.generate_circular54(kind=kind, unit=unit, anchor=anchor, by=request.user, submit=submit,
                                              structure=structure)
    except ParseError as exc:
        messages.error(request, exc.vi)
    except Invalid as exc:
        messages.error(request, exc.vi)
    else:
        messages.success(request, _("Đã gửi báo cáo.") if submit else _("Đã lập báo cáo."))
        return redirect(f"{reverse('reports:tt54')}?loai={kind}&ngay={report.period_start:%d/%m/%Y}"
                        + (f"&structure={report.data.get('structure')}" if report.data.get("structure") else ""))
    return redirect("reports:tt54")


@role_required(HEALTH_READERS)
def tt54_download(request, pk, fmt):
    report = scoped_object(request, Circular54Report, pk=pk)
    f = {"pdf": report.pdf, "xlsx": report.xlsx}.get(fmt)
    if not f:
        raise Http404
    record(actor=request.user, action="export", obj=report, records=[report.pk], note=fmt)
    from core.files import serve_file

    return serve_file(f, filename=f"tt54-{report.kind}-{report.unit.code}-{report.period_start:%Y-%m-%d}.{fmt}")
