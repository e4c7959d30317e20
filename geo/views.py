"""Pages of the geo app: units browser with population and 2025 history, villages, imports, map."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.concurrency import EditConflict
from core.errors import Invalid
from core.parsing import parse_int
from core.roles import HEALTH_READERS, RULE_EDITORS
from core.scoping import scope, visible_units
from core.views import role_required

from . import areas, services
from .forms import BoundaryImportForm, ImportForm, VillageForm
from .models import AdministrativeUnit, Level, Village
from .roles import GEO_EDITORS, REGION_EDITORS


def _home_unit(user, structure: str | None = None):
    """The user's unit (or the installation's province), on `structure` when the other structure's unit stands for it
    inside his jurisdiction (geo.areas.unit_on)."""
    unit = user.jurisdiction_unit
    if unit is None:
        unit = areas.installation_province() or AdministrativeUnit.objects.filter(level=Level.PROVINCE).order_by("path").first()
    if structure and unit is not None and unit.structure != structure:
        other = areas.unit_on(unit, structure)
        from core.scoping import visible_units

        if other is not None and (user.jurisdiction_unit is None or visible_units(user).filter(pk=other.pk).exists()):
            unit = other
    return unit


def _year(request, unit):
    years = services.population_years(unit)
    try:
        year = int(request.GET.get("year") or 0)
    except ValueError:
        year = 0
    if not 1900 <= year <= 2100:
        year = 0
    return (year or (years[0] if years else None)), years


@role_required(HEALTH_READERS)
def units_home(request):
    unit = _home_unit(request.user, areas.structure_from_request(request))
    if unit is None:
        return render(request, "geo/unit.html", {"unit": None})
    return redirect("geo:unit", pk=unit.pk)


@role_required(HEALTH_READERS)
def unit_detail(request, pk):
    """A unit, its children with population, and its history across the 2025 reorganisation.

    Units and denominators are public reference data: every health reader may browse them all; villages
    are shown only inside the user's jurisdiction."""
    unit = get_object_or_404(AdministrativeUnit.objects.select_related("parent"), pk=pk)
    year, years = _year(request, unit)
    table = services.population_table(unit, year) if year else None
    children = [r["unit"] for r in table["rows"]] if table else list(unit.children.order_by("name_folded"))
    if unit.is_post_2025:
        history = services.predecessors_of(children + [unit])
    else:
        history = services.successors_of(children + [unit])
    rows = table["rows"] if table else [{"unit": c} for c in children]
    for r in rows:
        r["history"] = history.get(r["unit"].pk, [])
    villages = []
    if unit.level == Level.COMMUNE:
        villages = list(scope(Village.objects.filter(commune=unit), request.user))
    return render(request, "geo/unit.html", {
        "unit": unit, "ancestors": list(unit.ancestors()), "rows": rows, "table": table, "year": year, "years": years,
        "history": history.get(unit.pk, []), "villages": villages,
        "can_edit": request.user.has_role(GEO_EDITORS),
        "bands": services.AGE_BANDS, "year_str": str(year or ""),
    })


@role_required(HEALTH_READERS)
def unit_search(request):
    """Find a unit by name typed without diacritics ("dak cam"), in both structures."""
    from core.text import fold

    q = request.GET.get("q", "").strip()
    units = []
    if q:
        folded = fold(q)
        units = list(AdministrativeUnit.objects.filter(name_folded__contains=folded).select_related("parent")
                     .order_by("structure", "level", "name_folded")[:50])
    return render(request, "geo/search.html", {"q": q, "units": units})


@role_required(HEALTH_READERS)
def map_page(request, pk=None):
    structure = areas.structure_from_request(request)
    unit = get_object_or_404(AdministrativeUnit, pk=pk) if pk else _home_unit(request.user, structure)
    if unit is None:
        return redirect("geo:home")
    if pk and request.GET.get(areas.STRUCTURE_PARAM) == structure and unit.structure != structure:
        # "Theo địa giới": the same place on the other map.
        other = areas.unit_on(unit, structure)
        if other is not None:
            return redirect(reverse("geo:map_unit", args=[other.pk]) + (f"?year={request.GET['year']}" if request.GET.get("year") else ""))
    year, years = _year(request, unit)
    params = {"year": year} if year else {}
    shown = unit.structure
    if not pk and request.GET.get(areas.STRUCTURE_PARAM) == structure and unit.structure != structure:
        # The user's unit has no counterpart inside his jurisdiction on that map (a former district's is the whole
        # 2025 province): his area is drawn as the communes of that map it went to (geo.areas.communes_on).
        params[areas.STRUCTURE_PARAM] = shown = structure
    data_url = reverse("geo:features", args=[unit.pk]) + (f"?{urlencode(params)}" if params else "")
    return render(request, "geo/map.html", {"unit": unit, "data_url": data_url, "year": year, "years": years,
                                            "structure": shown, "broken_into_other": shown != unit.structure})


@role_required(HEALTH_READERS)
def features(request, pk):
    """GeoJSON of the unit's children (or of the commune itself) with their population as `value`."""
    unit = get_object_or_404(AdministrativeUnit, pk=pk)
    structure = request.GET.get(areas.STRUCTURE_PARAM)
    if structure in areas.STRUCTURES and structure != unit.structure:
        # The unit's area on the other map: the communes of that structure its communes roll up into.
        units = list(areas.communes_on(unit, structure).order_by("name_folded")) or [unit]
    else:
        units = list(unit.children.order_by("name_folded")) or [unit]
    year, _years = _year(request, unit)
    values = services.population_by_unit(units, year) if year else {}
    extra = {u.pk: {"url": reverse("geo:unit", args=[u.pk])} for u in units}
    return JsonResponse(services.feature_collection(units, values, extra=extra))


@role_required(HEALTH_READERS)
def village_list(request):
    qs = scope(Village.objects.select_related("commune"), request.user)
    commune = request.GET.get("commune")
    if commune and commune.isdigit():
        # A commune of either structure: a 2025 commune lists the villages of the pre-2025 communes that roll up into it.
        qs = qs.filter(areas.unit_filter_q(commune, "commune"))
    q = request.GET.get("q", "").strip()
    if q:
        from core.text import fold

        qs = qs.filter(name_folded__contains=fold(q))
    page = Paginator(qs.order_by("commune__name_folded", "name_folded"), 50).get_page(request.GET.get("page"))
    structure = areas.structure_from_request(request)
    # Each village's commune of its time, and on the other map the one it rolls up to (one query for the page).
    page.object_list = areas.label_records(page.object_list, "commune", structure)
    communes = areas.communes_for_picker(visible_units(request.user), structure).order_by("name_folded")[:500]
    return render(request, "geo/village_list.html", {
        "page_obj": page, "q": q, "communes": communes, "commune": commune, "can_edit": request.user.has_role(GEO_EDITORS),
        "structure": structure, "structure_param": request.GET.get("structure", "") in areas.STRUCTURES,
    })


@role_required(GEO_EDITORS)
def village_create(request):
    form = VillageForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            village = services.create_village(by=request.user, **form.cleaned_data)
        except Invalid as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Đã thêm thôn/làng."))
            return redirect(reverse("geo:unit", args=[village.commune_id]))
    return render(request, "geo/village_form.html", {"form": form})


TEMPLATES = {
    "thon": (["Mã xã", "Tên xã", "Tên thôn", "Loại"], [["23281", "Phường Quang Trung", "Tổ dân phố 1", "Tổ dân phố"]]),
    "dan-so": (["Mã xã", "Năm", "Giới tính", "Nhóm tuổi", "Dân số", "Nguồn"],
               [["23281", "2021", sex, band, "0", ""] for sex in ("Nam", "Nữ") for band in services.AGE_BANDS]),
    "nguoi-dan": (["Họ tên", "Ngày sinh", "Năm sinh", "Giới tính", "CCCD/CMND", "Điện thoại", "Dân tộc", "Nghề nghiệp",
                   "Nơi làm việc", "Địa chỉ", "Mã xã", "Tên thôn"],
                  [["Nguyễn Văn An", "05/03/1980", "", "Nam", "062080000123", "0905123456", "Kinh", "Nông dân", "", "", "23281", "Thôn 1"],
                   ["Y Bla", "", "1955", "Nữ", "", "", "Xơ Đăng", "", "", "Thôn 2, xã Đăk Cấm, thành phố Kon Tum, Kon Tum", "", ""]]),
}


@login_required
def import_template(request, kind):
    """A CSV to fill in (UTF-8 with BOM, so that Excel shows the Vietnamese headers correctly)."""
    import io

    from django.http import Http404, HttpResponse

    from core.exports import SafeWriter

    if kind not in TEMPLATES:
        raise Http404
    header, rows = TEMPLATES[kind]
    buf = io.StringIO()
    writer = SafeWriter(buf)
    writer.writerow(header)
    writer.writerows(rows)
    response = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="mau-{kind}.csv"'
    return response


def _run_import(request, kind, template, title, columns_help, template_kind=None):
    """The upload page of a background import (core.batches): the batch's progress and report show below the form."""
    from core.batches import start_import

    form = ImportForm(request.POST or None, request.FILES or None)
    batch = None
    if request.method == "POST" and form.is_valid():
        batch = start_import(kind=kind, by=request.user, upload=form.cleaned_data["file"],
                             options={"mode": "valid_only" if form.cleaned_data["valid_only"] else "all"})
    return render(request, template, {"form": form, "batch": batch, "title": title, "columns_help": columns_help,
                                      "template_kind": template_kind})


@role_required(GEO_EDITORS)
def village_import(request):
    return _run_import(request, "villages", "geo/import.html", _("Nhập danh sách thôn/làng"),
                       "mã xã | tên xã, tên thôn, loại (Thôn, Làng, Tổ dân phố, Bản, Ấp, Khối phố), mã thôn", "thon")


@role_required(GEO_EDITORS)
def population_import(request):
    return _run_import(request, "population", "geo/import.html", _("Nhập dân số theo năm, giới tính, nhóm tuổi"),
                       "mã xã | tên xã, năm, giới tính (Nam/Nữ), nhóm tuổi (0-4, 5-11, 12-17, 18-49, 50-64, 65+), dân số, nguồn", "dan-so")


@role_required(RULE_EDITORS)
def boundary_import(request):
    from core.batches import start_import

    form = BoundaryImportForm(request.POST or None, request.FILES or None)
    batch = None
    if request.method == "POST" and form.is_valid():
        # In the background like every import (core.batches): progress and report below the form.
        batch = start_import(kind="boundaries", by=request.user, upload=form.cleaned_data["file"], options={
            "code_property": form.cleaned_data["code_property"] or "", "structure": form.cleaned_data["structure"]})
    return render(request, "geo/boundary_import.html", {"form": form, "batch": batch})


# --- health regions ------------------------------------------------------------------------------------------------
@role_required(HEALTH_READERS)
def region_list(request):
    """Health regions of the installation's province: every health reader sees them, the Department of Health edits."""
    from django.db.models import Count

    from .models import HealthRegion

    regions = scope(HealthRegion.objects.select_related("province").annotate(
        n=Count("communes", distinct=True), n_users=Count("users", distinct=True)), request.user)
    return render(request, "geo/region_list.html", {"regions": regions.order_by("name"),
                                                    "can_edit": request.user.has_role(REGION_EDITORS)})


@role_required(REGION_EDITORS)
def region_edit(request, pk=None):
    """Create a region (of the installation's province) or change its name and communes; audited by the services.
    The page carries the version it showed: an edit saved by someone else meanwhile is refused, never overwritten."""
    from core.scoping import get_for_user

    from .forms import RegionForm
    from .models import HealthRegion

    region = get_for_user(HealthRegion, request.user, pk=pk) if pk else None
    province = region.province if region else services.region_province()
    initial = ({"name": region.name, "centre_name": region.centre_name, "note": region.note,
                "communes": list(region.communes.all())} if region else None)
    form = RegionForm(request.POST or None, initial=initial, province=province, region=region)
    version = region.version if region else None
    if request.method == "POST" and region is not None:
        # The version the user's page showed, kept through a re-rendered invalid form: resubmitting after someone
        # else's save is refused, never an overwrite of their edit.
        version = parse_int(request.POST.get("version")) or 0
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if region is None:
                services.create_region(by=request.user, province=province, name=d["name"], communes=d["communes"],
                                       centre_name=d["centre_name"], note=d["note"])
            else:
                services.update_region(by=request.user, region=region, name=d["name"], communes=d["communes"],
                                       centre_name=d["centre_name"], note=d["note"], expected_version=version)
            return redirect("geo:regions")
        except Invalid as exc:
            form.add_error(None, exc.in_language())
        except EditConflict:
            form.add_error(None, _("Khu vực vừa được người khác sửa trong lúc bạn đang sửa; tải lại trang để xem bản mới "
                                   "trước khi lưu."))
    users = region.users.order_by("username") if region else []
    return render(request, "geo/region_form.html", {"form": form, "region": region, "province": province,
                                                    "version": version, "region_users": users},
                  status=400 if form.errors else 200)


@role_required(REGION_EDITORS)
@require_POST
def region_delete(request, pk):
    """Delete a region nobody works in (a region with users is refused, with who: see geo.services.delete_region)."""
    from core.scoping import get_for_user

    from .models import HealthRegion

    region = get_for_user(HealthRegion, request.user, pk=pk)
    try:
        services.delete_region(by=request.user, region=region, expected_version=parse_int(request.POST.get("version")) or 0)
    except Invalid as exc:
        messages.error(request, exc.in_language())
        return redirect("geo:region_edit", pk=pk)
    except EditConflict:
        messages.error(request, _("Khu vực vừa được người khác sửa; xem lại trước khi xóa."))
        return redirect("geo:region_edit", pk=pk)
    messages.success(request, _("Đã xóa khu vực “%(name)s”.") % {"name": region.name})
    return redirect("geo:regions")
