"""The leadership dashboard page and its map data (reports.dashboard builds the figures)."""
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from core.parsing import ParseError, parse_date
from core.views import role_required

from . import circular54
from . import dashboard as board
from .roles import REPORT_READERS


def _params(request):
    from diseases.models import Disease

    diseases = list(Disease.objects.order_by("name"))
    codes = [d.code for d in diseases]
    # Not chosen: the installation's default disease (COVID-19 on the seeds), else the first.
    from diseases.selectors import default_disease_pk

    default = next((d.code for d in diseases if d.pk == default_disease_pk()), codes[0] if codes else "")
    disease = request.GET.get("benh") if request.GET.get("benh") in codes else default
    try:
        day = parse_date(request.GET.get("ngay") or "") or timezone.localdate()
    except ParseError:
        day = timezone.localdate()
    basis = "report" if request.GET.get("theo") == "report" else "onset"
    unit = request.user.jurisdiction_unit if request.user.jurisdiction_unit is not None and not request.user.sees_everything else circular54.province()
    if not request.GET.get("ngay") and unit is not None and disease:
        # Archived data (no case for four weeks): show the weeks up to the disease's last case, and say so.
        from cases.selectors import cases_in, last_case_day

        last = last_case_day(cases_in(unit.path, disease), basis)
        if last is not None and last < day - timezone.timedelta(days=28):
            day = last
    return diseases, disease, day, basis, unit


@role_required(REPORT_READERS)
def dashboard(request):
    from geo import areas

    diseases, disease, day, basis, unit = _params(request)
    structure = areas.structure_from_request(request)
    data = (board.build(disease=disease, unit=unit, day=day, basis=basis, structure=structure)
            if unit is not None and disease else None)
    if request.GET.get("format") == "json" and data is not None:
        return JsonResponse({k: v for k, v in data.items()})
    map_url = None
    if data is not None:
        map_url = f"{request.path}?benh={disease}&theo={basis}&ngay={day:%d/%m/%Y}&structure={structure}&ban_do=1"
        if request.GET.get("ban_do"):
            return JsonResponse(map_features(data, unit, structure))
    return render(request, "reports/dashboard.html", {
        "diseases": diseases, "disease": disease, "day": day, "basis": basis, "unit": unit, "data": data,
        "chart": board.chart_data(data) if data else None, "map_url": map_url, "structure": structure,
        "other_figures": _is_home(request),
    })


def _is_home(request) -> bool:
    from django.urls import reverse

    from core.dashboard import home_url_for

    return home_url_for(request.user) == reverse("reports:dashboard")


@role_required(REPORT_READERS)
def other_figures(request):
    """The home tiles of a user whose home is the dashboard (the leadership), each a link to its list: every
    disease's workload (patients at home, open alerts, contacts, outbreaks, tests, levels, directives, supplies),
    none of which the per-disease figures above repeat. Fetched by the dashboard after its charts (its own queries
    stay off the dashboard's budget); a full page without `?fragment=1` (no script)."""
    from core.dashboard import tiles_for

    template = "reports/_other_figures.html" if request.GET.get("fragment") else "reports/other_figures.html"
    return render(request, template, {"tiles": tiles_for(request)})


def map_features(data: dict, unit, structure: str | None = None) -> dict:
    """The communes of `structure` (geo.areas.communes_on) as GeoJSON with incidence per 100,000 (or the count when
    no population) and the list link."""
    from geo import areas
    from geo.services import feature_collection

    communes = areas.communes_on(unit, structure or data.get("structure"))
    inc = {f["unit_id"]: f for f in data["incidence"]}
    values = {cid: (f["per100k"] if f["per100k"] is not None else f["value"]) for cid, f in inc.items()}
    extra = {cid: {"url": f["url"], "cases": f["value"]} for cid, f in inc.items()}
    return feature_collection(communes, values, extra=extra)
