"""Vaccination pages: a person's doses and status, recording a dose, coverage, imports, schedules, certificates."""
import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import HEALTH_READERS, RULE_EDITORS, VACCINATION_EDITORS, allowed
from core.auditing import record_read
from core.errors import Invalid
from core.parsing import ParseError, parse_date
from core.scoping import jurisdiction_area, scope, visible_units
from core.security import public_url
from core.views import role_required, scoped_object
from geo import areas
from geo.models import AdministrativeUnit, Level
from people.models import Person
from people.services import search_people

from . import services
from .forms import DoseForm, ImportForm, ScheduleForm
from .models import DosePolicy, ImportBatch, Injection, Product, Schedule


def _on(request) -> dt.date:
    try:
        return parse_date(request.GET.get("ngay")) or dt.date.today()
    except ParseError:
        return dt.date.today()


@role_required(HEALTH_READERS)
def home(request):
    """Find a person to vaccinate; coverage of the user's unit."""
    q = request.GET.get("q", "")
    people = []
    if q:
        people = search_people(scope(Person.objects.filter(merged_into__isnull=True), request.user), q).select_related("commune")[:30]
        # Each person's commune of its time, and on today's map the one it rolls up to (one query).
        people = areas.label_records(people, "commune")
    unit = jurisdiction_area(request.user)  # a unit, or a health region
    cov = services.coverage(unit, dt.date.today()) if unit else None
    return render(request, "vaccination/home.html", {"q": q, "people": people, "adult": cov["groups"]["18+"] if cov else None, "unit": unit})


@role_required(HEALTH_READERS)
def person_record(request, person_pk):
    person = scoped_object(request, Person.objects.select_related("commune", "village"), pk=person_pk)

    record_read(by=request.user, obj=person, note="Hồ sơ tiêm chủng")
    return _render_person(request, person, DoseForm(initial={"given_on": dt.date.today().strftime("%d/%m/%Y")}))


def _render_person(request, person, form, findings=None, needs_override=False, status=200):
    on = _on(request)
    injections = Injection.objects.filter(person=person).select_related("product").order_by("given_on", "id")
    return render(request, "vaccination/person.html", {
        "person": person, "injections": injections, "status": services.person_status(person, on), "on": on,
        "form": form, "findings": findings or [], "needs_override": needs_override,
        "can_record": request.user.has_role(VACCINATION_EDITORS),
        "can_revoke": request.user.has_role(VACCINATION_EDITORS),
        "is_supervisor": request.user.has_role(services.VACCINATION_SUPERVISORS),
    }, status=status)


@require_POST
@role_required(VACCINATION_EDITORS)
def record_dose(request, person_pk):
    person = scoped_object(request, Person, pk=person_pk)
    form = DoseForm(request.POST)
    if not form.is_valid():
        return _render_person(request, person, form, status=400)
    data = form.cleaned_data
    try:
        services.record_injection(
            by=request.user, person=person, product=data["product"], dose_kind=data["dose_kind"], dose_number=data["dose_number"],
            given_on=data["given_on"], lot=data["lot"], site=data["site"], override_reason=data["override_reason"],
        )
    except services.NeedsOverride as exc:
        return _render_person(request, person, form, findings=exc.findings, needs_override=True, status=409)
    except services.DoseRefused as exc:
        return _render_person(request, person, form, findings=exc.findings, status=422)
    except Invalid as exc:  # e.g. a dose of 2026 for someone still on a dissolved commune (geo.eras)
        form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        return _render_person(request, person, form, status=400)
    messages.success(request, _("Đã ghi nhận mũi tiêm."))
    return redirect("vaccination:person", person_pk=person.pk)


@role_required(HEALTH_READERS)
def coverage_page(request):
    # "Theo địa giới: hiện hành / trước 01/07/2025" (geo.areas): the units of the chosen structure; a 2025 unit's
    # figures include the records of the pre-2025 communes it took over.
    structure = areas.structure_from_request(request)
    units = visible_units(request.user).filter(structure=structure).order_by("path")
    unit_id = request.GET.get("don_vi")
    unit = None
    if unit_id:
        unit = get_object_or_404(visible_units(request.user), pk=unit_id)
        structure = unit.structure
    else:
        unit = (areas.unit_on(request.user.jurisdiction_unit, structure)
                or areas.unit_on(areas.installation_province(), structure)
                or AdministrativeUnit.objects.filter(level=Level.PROVINCE, structure=structure).order_by("path").first())
        own = request.user.jurisdiction_unit
        if own is not None and unit is not None and unit != own and not visible_units(request.user).filter(pk=unit.pk).exists():
            unit, structure = own, own.structure  # the other structure's unit is wider than his jurisdiction
    on = _on(request)
    cov = services.coverage(unit, on) if unit else None
    levels = services.coverage_for_levels(unit, on) if unit else None
    rows = []
    if cov:
        labels = {"0-4": "0–4", "5-11": "5–11", "12-17": "12–17", "18-49": "18–49", "50-64": "50–64", "65+": "65+"}
        rows = [(labels[b], cov["bands"][b]) for b in services.BANDS] + [(g, cov["groups"][g]) for g in ("12+", "18+", "50+", "all")]
    trend = services.coverage_trend(unit, on) if unit else []
    chart = {"dates": [p["on"].strftime("%m/%Y") for p in trend], "dose1": [p["dose1"] for p in trend],
             "full": [p["full"] for p in trend], "booster": [p["booster"] for p in trend]}
    return render(request, "vaccination/coverage.html", {
        "unit": unit, "on": on, "rows": rows, "levels": levels, "coverage": cov, "trend": trend, "chart": chart,
        "units": units[:400], "structure": structure,
    })


@role_required(HEALTH_READERS, anonymous_404=True)
def coverage_json(request):
    unit = get_object_or_404(visible_units(request.user), pk=request.GET.get("don_vi"))
    if request.GET.get(areas.STRUCTURE_PARAM) in areas.STRUCTURES:
        # ?structure=: the same place on that structure, when it lies inside the user's jurisdiction.
        other = areas.unit_on(unit, request.GET[areas.STRUCTURE_PARAM])
        if other is not None and visible_units(request.user).filter(pk=other.pk).exists():
            unit = other
    cov = services.coverage(unit, _on(request))
    cov["on"] = cov["on"].isoformat()
    return JsonResponse(cov)


# --- schedules (reference data) ---------------------------------------------------------------------------------
@role_required(HEALTH_READERS)
def schedules(request):
    return render(request, "vaccination/schedules.html", {
        "products": Product.objects.all(),
        "schedules": Schedule.objects.select_related("product").order_by("product__name", "age_min", "valid_from"),
        "policies": DosePolicy.objects.all(), "can_edit": request.user.has_role(RULE_EDITORS),
    })


@role_required(RULE_EDITORS)
def schedule_edit(request, pk):
    schedule = get_object_or_404(Schedule, pk=pk)
    form = ScheduleForm(request.POST or None, instance=schedule)
    if request.method == "POST" and form.is_valid():
        from core.concurrency import EditConflict

        try:
            # The ModelForm already copied the input onto `schedule`: diff against the stored row.
            services.update_schedule(by=request.user, schedule=Schedule.objects.get(pk=pk), data=form.cleaned_data,
                                     expected_version=int(request.POST.get("version", schedule.version)))
        except EditConflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Đã lưu lịch tiêm."))
            return redirect("vaccination:schedules")
    return render(request, "vaccination/schedule_form.html", {"form": form, "schedule": schedule})


# --- imports -----------------------------------------------------------------------------------------------------
@role_required(VACCINATION_EDITORS)
def imports(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        batch = services.start_import(by=request.user, upload=form.cleaned_data["file"],
                                      mode="valid_only" if form.cleaned_data["valid_only"] else "all")
        return redirect("vaccination:import_detail", pk=batch.pk)
    services.mark_stale_imports()  # a batch whose worker died shows as failed (and retryable) in the list
    batches = scope(ImportBatch.objects.all(), request.user)[:20]
    return render(request, "vaccination/imports.html", {"form": form, "batches": batches})


@role_required(VACCINATION_EDITORS)
def import_detail(request, pk):
    services.mark_stale_imports()  # a batch whose worker died shows as failed as soon as someone looks
    batch = scoped_object(request, ImportBatch, pk=pk)
    template = "vaccination/_import_progress.html" if request.htmx else "vaccination/import_detail.html"
    return render(request, template, {"batch": batch})


@require_POST
@role_required(VACCINATION_EDITORS)
def import_retry(request, pk):
    batch = scoped_object(request, ImportBatch, pk=pk)
    if not services.retry_import(batch, by=request.user):
        raise Http404  # not the owner's, not failed, or its file is gone
    return redirect("vaccination:import_detail", pk=batch.pk)


@role_required(VACCINATION_EDITORS)
def import_errors_csv(request, pk):
    batch = scoped_object(request, ImportBatch, pk=pk)
    from core.exports import SafeWriter

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="loi-nhap-{batch.pk}.csv"'
    response.write("\ufeff")
    w = SafeWriter(response)
    w.writerow(["Dòng/Line", "Cột/Column", "Mã/Code", "Lý do", "Reason"])
    for e in batch.errors:
        w.writerow([e["line"], e["column"], e["code"], e["message_vi"], e["message_en"]])
    return response


# --- certificate and public verification ------------------------------------------------------------------------
@role_required(HEALTH_READERS)
def certificate(request, person_pk):
    person = scoped_object(request, Person.objects.select_related("commune"), pk=person_pk)
    from .certificates import certificate_pdf, verify_url

    cert = services.issue_certificate(by=request.user, person=person)
    pdf = certificate_pdf(person, verify_url(cert, request))
    from audit.services import record

    record(actor=request.user, action="export", obj=person, note="Giấy chứng nhận tiêm chủng", records=[person.pk])
    return FileResponse(pdf, content_type="application/pdf", filename=f"giay-chung-nhan-tiem-{person.pk}.pdf")


@require_POST
@role_required(VACCINATION_EDITORS)
def revoke_certificates(request, person_pk):
    """Every issued certificate of the person stops verifying (a lost paper); the next PDF gets a new code."""
    person = scoped_object(request, Person, pk=person_pk)
    try:
        n = services.revoke_certificates(by=request.user, person=person)
        messages.success(request, _("Đã thu hồi %(n)s giấy chứng nhận.") % {"n": n})
    except Invalid as exc:
        messages.error(request, exc.en if request.LANGUAGE_CODE == "en" else exc.vi)
    return redirect("vaccination:person", person_pk=person.pk)


VERIFY_PER_HOUR = 120  # checks per client address
BAD_TOKEN_PER_HOUR = 30  # unknown codes per client address


def verify(request, token):
    """Public: name, birth year and doses only (no ID, address, phone); an expired or revoked code says so and shows
    nothing about the person. Rate-limited per client address, unknown codes much lower (guessing)."""
    from core.ratelimit import client_key, hit, over_limit, too_many

    who = client_key(request)
    if over_limit(f"vaccination:badcert:{who}", BAD_TOKEN_PER_HOUR) or hit(f"vaccination:verify:{who}", VERIFY_PER_HOUR):
        return too_many()
    status, cert = services.certificate_status(token)
    if status == "unknown":
        hit(f"vaccination:badcert:{who}", BAD_TOKEN_PER_HOUR)
        return render(request, "vaccination/verify.html", {"valid": False}, status=404)
    if status != "valid":
        return render(request, "vaccination/verify.html", {"valid": False, "status": status}, status=410)
    person = cert.person

    # A read of a person's data by someone without an account: audited with the client's address.
    record_read(by=None, actor_label="public", obj=person, note="public certificate check")
    doses = Injection.objects.filter(person=person).select_related("product").order_by("given_on", "id")
    return render(request, "vaccination/verify.html", {"valid": True, "name": person.full_name, "birth_year": person.birth_year,
                                                       "doses": doses, "expires_on": cert.expires_on})


# --- FHIR ----------------------------------------------------------------------------------------------------------
@role_required(HEALTH_READERS, anonymous_404=True)
def fhir_person(request, person_pk):
    person = scoped_object(request, Person.objects.select_related("commune"), pk=person_pk)
    from audit.services import record

    from .fhir import bundle_for

    injections = list(Injection.objects.filter(person=person).select_related("product"))
    record(actor=request.user, action="export", obj=person, note="FHIR", records=[person.pk])
    return JsonResponse(bundle_for([person], injections, base=public_url("/", request)), content_type="application/fhir+json")


@role_required(HEALTH_READERS, anonymous_404=True)
def fhir_unit(request, unit_pk):
    unit = get_object_or_404(visible_units(request.user), pk=unit_pk)
    from audit.services import record

    from .fhir import bundle_for

    ids = services.communes_of(unit)
    injections = list(scope(Injection.objects.filter(commune_id__in=ids), request.user).select_related("product", "person")[:20000])
    people = list({i.person_id: i.person for i in injections}.values())
    record(actor=request.user, action="export", target_label=f"FHIR {unit}", records=[p.pk for p in people])
    return JsonResponse(bundle_for(people, injections, base=public_url("/", request)), content_type="application/fhir+json")


@role_required(HEALTH_READERS)
def injection_list(request):
    from core.dataversion import cached
    from core.pagination import KnownCountPaginator, jurisdiction_key

    qs = scope(Injection.objects.all(), request.user)
    # The total is cached under the doses' data version (bumped by every dose write and import): counting 800,000
    # doses took most of the page's time.
    total = cached(("injection_count", jurisdiction_key(request.user)), versions=["vaccination"], compute=qs.count)
    page = KnownCountPaginator(qs.select_related("person", "product", "commune").order_by("-given_on", "-id"), 50,
                               known_count=total).get_page(request.GET.get("page"))
    # A dose keeps the commune of its day; on today's map its row also names the commune that now governs it.
    structure = areas.structure_from_request(request)
    page.object_list = areas.label_records(page.object_list, "commune", structure)
    return render(request, "vaccination/injections.html", {"page_obj": page, "structure": structure,
                                                           "structure_qs": _structure_qs(request)})


def _structure_qs(request) -> str:
    """The "Theo địa giới" parameter for a list's pager links ("structure=pre2025&"), when one was chosen."""
    value = request.GET.get(areas.STRUCTURE_PARAM)
    return f"{areas.STRUCTURE_PARAM}={value}&" if value in areas.STRUCTURES else ""


# --- campaigns -------------------------------------------------------------------------------------------------------
@role_required(HEALTH_READERS)
def campaigns(request):
    from .forms import CampaignForm
    from .models import Campaign
    from .outreach import create_campaign, progress

    form = None
    if request.user.has_role(VACCINATION_EDITORS) and not request.user.has_role(frozenset({"vaccinator"})):
        form = CampaignForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                create_campaign(by=request.user, data=form.cleaned_data)
            except Invalid as exc:  # e.g. no catch-up policy of the disease covers the start date
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            else:
                messages.success(request, _("Đã tạo chỉ tiêu."))
                return redirect("vaccination:campaigns")
    elif request.method == "POST":
        raise PermissionDenied
    on = _on(request)
    listed = scope(Campaign.objects.select_related("unit"), request.user)
    disease = request.GET.get("disease", "")
    if disease:  # every disease unless one is chosen (docs/diseases.md)
        listed = listed.filter(disease__code=disease)
    items = [progress(c, on) for c in listed]
    from diseases.selectors import disease_choices

    return render(request, "vaccination/campaigns.html", {"items": items, "form": form, "on": on,
                                                          "diseases": disease_choices(), "disease": disease})


@role_required(HEALTH_READERS)
def campaign_missing(request, pk):
    from .models import Campaign
    from .outreach import missing_people

    campaign = scoped_object(request, Campaign.objects.select_related("unit"), pk=pk)
    on = _on(request)
    qs = scope(missing_people(campaign, on), request.user).select_related("commune", "village").order_by("commune__name", "name_folded")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    structure = areas.structure_from_request(request)
    page.object_list = areas.label_records(page.object_list, "commune", structure)
    return render(request, "vaccination/campaign_missing.html", {"campaign": campaign, "page_obj": page, "on": on,
                                                                 "structure": structure, "structure_qs": _structure_qs(request)})


# --- door-to-door ----------------------------------------------------------------------------------------------------
@role_required(HEALTH_READERS, edit_roles=allowed("vaccination.visit"))
def door_to_door(request, village_pk):
    from geo.models import Village

    from .models import Visit
    from .outreach import door_to_door as build
    from .outreach import door_to_door_pdf, door_to_door_xlsx, record_visit

    village = scoped_object(request, Village.objects.select_related("commune"), pk=village_pk)
    on = _on(request)
    error = None
    if request.method == "POST":
        person = scoped_object(request, Person, pk=request.POST.get("person"), village=village)
        try:
            record_visit(by=request.user, person=person, outcome=request.POST.get("outcome", ""), reason=request.POST.get("reason", ""), visited_on=on)
        except Invalid as exc:
            error = exc
        else:
            return redirect(f"{request.path}?ngay={on:%d/%m/%Y}" + (f"&chien-dich={request.GET['chien-dich']}" if (request.GET.get("chien-dich") or "").isdigit() else ""))
    campaign = None
    if (request.GET.get("chien-dich") or "").isdigit():  # a catch-up campaign's list (e.g. measles 2025)
        from .models import Campaign
        from .outreach import catch_up_door_to_door

        campaign = scoped_object(request, Campaign.objects.select_related("disease"), pk=request.GET["chien-dich"])
    entries = catch_up_door_to_door(campaign, village, on, request.user) if campaign else build(village, on, request.user)
    fmt = request.GET.get("dang")
    if fmt in ("pdf", "xlsx"):
        from audit.services import record

        record(actor=request.user, action="export", target_label=f"door-to-door {village}", records=[e.person.pk for e in entries])
        if fmt == "pdf":
            return HttpResponse(door_to_door_pdf(village, entries, on), content_type="application/pdf",
                                headers={"Content-Disposition": f'attachment; filename="di-tung-nha-{village.pk}.pdf"'})
        return HttpResponse(door_to_door_xlsx(village, entries, on),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            headers={"Content-Disposition": f'attachment; filename="di-tung-nha-{village.pk}.xlsx"'})
    # A village can have hundreds of people to visit: 50 a page, in the list's order (the PDF/XLSX keep them all).
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "vaccination/door_to_door.html", {
        "village": village, "entries": page.object_list, "page_obj": page, "total": len(entries), "on": on,
        "querystring_prefix": f"ngay={on:%d/%m/%Y}&" + (f"chien-dich={campaign.pk}&" if campaign else ""), "campaign": campaign,
        "outcomes": Visit.Outcome.choices, "error": error,
        "can_record": request.user.has_role(allowed("vaccination.visit")),
    }, status=400 if error else 200)


@role_required(HEALTH_READERS)
def villages(request):
    from geo.models import Village

    qs = scope(Village.objects.select_related("commune"), request.user).order_by("commune__name", "name")
    if request.GET.get("xa"):
        # A commune of either structure: a 2025 commune lists the villages of the pre-2025 communes it took over.
        qs = qs.filter(areas.unit_filter_q(request.GET["xa"], "commune"))
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    structure = areas.structure_from_request(request)
    page.object_list = areas.label_records(page.object_list, "commune", structure)
    xa = request.GET.get("xa", "")
    return render(request, "vaccination/villages.html", {
        "page_obj": page, "structure": structure,
        "structure_qs": _structure_qs(request) + (f"xa={xa}&" if xa.isdigit() else "")})


# --- VNeID reconciliation ----------------------------------------------------------------------------------------------
@role_required(VACCINATION_EDITORS)
def reconciliation(request):
    from core.batches import start_import

    from .models import ReconciliationRun

    form = ImportForm(request.POST or None, request.FILES or None)
    batch = None
    if request.method == "POST" and form.is_valid():
        # In the background like every import (core.batches); the report links to the run's page when done.
        batch = start_import(kind="vneid", by=request.user, upload=form.cleaned_data["file"])
    runs = scope(ReconciliationRun.objects.all(), request.user)[:20]
    return render(request, "vaccination/reconciliation.html", {"form": form, "runs": runs, "batch": batch})


@role_required(VACCINATION_EDITORS)
def reconciliation_detail(request, pk):
    from .models import ReconciliationRun
    from .reconcile import KINDS, corrections_csv

    r = scoped_object(request, ReconciliationRun, pk=pk)
    if request.GET.get("dang") == "csv":
        from audit.services import record

        record(actor=request.user, action="export", target_label=f"VNeID corrections #{r.pk}",
               records=sorted({d["person_id"] for d in r.differences if d["person_id"]}))
        response = HttpResponse("\ufeff" + corrections_csv(r), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="dieu-chinh-vneid-{r.pk}.csv"'
        return response
    counts = [(KINDS[k][0], KINDS[k][1], r.counts.get(k, 0), r.fixed_since_previous.get(k)) for k in KINDS]
    labels = {k: v[0] for k, v in KINDS.items()}
    diffs = [{**d, "label": labels[d["kind"]]} for d in r.differences[:500]]
    return render(request, "vaccination/reconciliation_detail.html", {"run": r, "counts": counts, "diffs": diffs})
