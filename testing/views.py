"""Pages of the testing app: tests and results, pooled samples, lab result import, new-lineage alerts."""
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import HEALTH_READERS, LAB_EDITORS
from core.auditing import record_read
from core.concurrency import EditConflict
from core.dataversion import cached
from core.errors import Invalid
from core.pagination import KnownCountPaginator, jurisdiction_key
from core.scoping import scope, visible_commune_ids, visible_units
from core.text import fold
from core.views import role_required, scoped_object
from diseases.selectors import disease_choices
from geo import areas
from geo.models import Level
from people.models import Person

from . import services
from .forms import ImportForm, MemberTestForm, PoolForm, PoolResultForm, ResultForm, TestForm
from .models import LineageAlert, Pool, PoolMember, Result, Test


def _listed_tests(user):
    """The tests of the user's jurisdiction for the list: by the ids of its communes (core.scoping.visible_commune_ids),
    as the people list does, rather than a join on the units' paths whose selectivity PostgreSQL misjudges (it joined
    every person of a district to the tests: 0.35-0.55 s for a district or province user on the 580,000 demo)."""
    ids = visible_commune_ids(user)
    if ids is None:
        return scope(Test.objects.all(), user)
    return Test.objects.filter(person__commune_id__in=sorted(ids))


@role_required(HEALTH_READERS)
def test_list(request):
    qs = _listed_tests(request.user).select_related("person", "person__commune")
    result = request.GET.get("ket-qua", "")
    if result in Result.values:
        qs = qs.filter(result=result)
    if request.GET.get("disease"):  # every disease unless one is chosen (docs/diseases.md)
        qs = qs.filter(disease__code=request.GET["disease"])
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(sample_code=q) | Q(person__name_folded__contains=fold(q)))
    ordered = qs.order_by("-taken_on", "-id")
    if result in Result.values or request.GET.get("disease") or q:
        paginator = Paginator(ordered, 25)
    else:  # the unfiltered list: its total is cached (counting a province's tests joins every person of it)
        total = cached(("tests_count", jurisdiction_key(request.user)), versions=["testing", "people"],
                       compute=_listed_tests(request.user).count)
        paginator = KnownCountPaginator(ordered, 25, known_count=total)
    page = paginator.get_page(request.GET.get("page"))
    alerts = scope(LineageAlert.objects.filter(acknowledged_by__isnull=True), request.user)[:5]
    return render(request, "testing/list.html", {"page_obj": page, "result": result, "q": q, "alerts": alerts,
                                                 "can_edit": request.user.has_role(LAB_EDITORS),
                                                 "diseases": disease_choices(), "disease": request.GET.get("disease", ""),
                                                 "querystring_prefix": f"ket-qua={result}&q={q}&disease={request.GET.get('disease', '')}&"})


@role_required(LAB_EDITORS)
def test_create(request):
    person_id = request.POST.get("person") or request.GET.get("person")
    person = scoped_object(request, Person, pk=int(person_id)) if person_id and person_id.isdigit() else None
    form = TestForm(request.POST or None, initial={"person": person.pk if person else None, "taken_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid() and person is not None:
        d = form.cleaned_data
        try:
            test = services.record_test(by=request.user, person=person, kind=d["kind"], sample_code=d["sample_code"],
                                        taken_on=d["taken_on"], result=d["result"], reported_on=d["reported_on"],
                                        ct_value=d["ct_value"], reason=d["reason"], disease=d.get("disease") or None)
        except Invalid as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("Đã ghi xét nghiệm."))
            return redirect("testing:detail", pk=test.pk)
    return render(request, "testing/form.html", {"form": form, "person": person})


@role_required(HEALTH_READERS, edit_roles=LAB_EDITORS)
def test_detail(request, pk):
    test = scoped_object(request, Test.objects.select_related("person", "lab"), pk=pk)
    can_edit = request.user.has_role(LAB_EDITORS)
    form = ResultForm(request.POST or None, initial={"version": test.version, "reported_on": timezone.localdate()})
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.report_result(by=request.user, test=test, result=d["result"], reported_on=d["reported_on"],
                                       ct_value=d["ct_value"], expected_version=d["version"])
            except (Invalid, EditConflict) as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Đã ghi kết quả."))
                return redirect("testing:detail", pk=test.pk)
    else:
        record_read(by=request.user, obj=test, person_id=test.person_id)
    return render(request, "testing/detail.html", {"test": test, "form": form, "can_edit": can_edit,
                                                   "sequencings": test.sequencings.all()})


# --- Pools -----------------------------------------------------------------------------------------
def _communes(user):
    return visible_units(user).filter(level=Level.COMMUNE).order_by("name")


@role_required(HEALTH_READERS, edit_roles=LAB_EDITORS)
def pool_list(request):
    qs = scope(Pool.objects.select_related("commune"), request.user)
    form = PoolForm(request.POST or None, communes=_communes(request.user), initial={"taken_on": timezone.localdate(), "size": 10})
    if request.method == "POST":
        if form.is_valid():
            try:
                pool = services.create_pool(by=request.user, **form.cleaned_data)
            except Invalid as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("testing:pool", pk=pool.pk)
    awaiting = scope(PoolMember.objects.filter(follow_up=PoolMember.FollowUp.AWAITING).select_related("person", "pool"), request.user)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    # A pool keeps the commune of its day; on today's map its row names the commune that now governs it.
    structure = areas.structure_from_request(request)
    page.object_list = areas.label_records(page.object_list, "commune", structure)
    return render(request, "testing/pools.html", {
        "page_obj": page, "form": form, "awaiting": awaiting[:200], "can_edit": request.user.has_role(LAB_EDITORS),
        "structure": structure, "querystring_prefix": f"structure={structure}&" if request.GET.get("structure") else ""})


@role_required(HEALTH_READERS, edit_roles=LAB_EDITORS)
def pool_detail(request, pk):
    pool = scoped_object(request, Pool.objects.select_related("commune"), pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                person = scoped_object(request, Person, pk=int(request.POST.get("person") or 0))
                services.add_member(by=request.user, pool=pool, person=person)
            elif action == "send":
                services.send_pool(by=request.user, pool=pool)
            elif action == "result":
                f = PoolResultForm(request.POST)
                if not f.is_valid():
                    raise Invalid("Dữ liệu không hợp lệ.", "Invalid data.")
                services.report_pool_result(by=request.user, pool=pool, **f.cleaned_data)
            elif action == "member_test":
                f = MemberTestForm(request.POST)
                if not f.is_valid():
                    raise Invalid("Dữ liệu không hợp lệ.", "Invalid data.")
                member = pool.members.get(pk=f.cleaned_data["member"])
                services.record_member_test(by=request.user, member=member, sample_code=f.cleaned_data["sample_code"],
                                            taken_on=f.cleaned_data["taken_on"])
        except (Invalid, ValueError, PoolMember.DoesNotExist) as exc:
            messages.error(request, str(exc))
        return redirect("testing:pool", pk=pool.pk)
    members = pool.members.select_related("person", "individual_test").order_by("position")
    return render(request, "testing/pool.html", {
        "pool": pool, "members": members, "can_edit": request.user.has_role(LAB_EDITORS),
        "result_form": PoolResultForm(initial={"reported_on": timezone.localdate()}),
        "today": timezone.localdate(), "free": pool.size - len(members),
    })


# --- Import and alerts -----------------------------------------------------------------------------
@role_required(LAB_EDITORS)
def import_results(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    batch = None
    positives = []
    if request.method == "POST" and form.is_valid():
        from core.batches import start_import

        batch = start_import(kind="lab_results", by=request.user, upload=form.cleaned_data["file"],
                             options={"mode": "valid_only" if form.cleaned_data["valid_only"] else "all"})
        ids = (batch.report.get("extra") or {}).get("positive_ids") or []
        positives = scope(Test.objects.filter(pk__in=ids[:200]), request.user).select_related("person").order_by("sample_code")
    return render(request, "testing/import.html", {"form": form, "batch": batch, "positives": positives})


@role_required(LAB_EDITORS)
@require_POST
def acknowledge_alert(request, pk):
    alert = scoped_object(request, LineageAlert, pk=pk)
    services.acknowledge_lineage_alert(by=request.user, alert=alert)
    return redirect("testing:list")


@role_required(LAB_EDITORS)
@require_POST
def sequencing(request, pk):
    """Request sequencing of a positive test, or record its lineage."""
    test = scoped_object(request, Test, pk=pk)
    from core.parsing import parse_date

    try:
        day = parse_date(request.POST.get("day")) or timezone.localdate()
        if request.POST.get("lineage"):
            seq = test.sequencings.get(pk=int(request.POST["sequencing"]))
            alert = services.report_lineage(by=request.user, sequencing=seq, lineage=request.POST["lineage"], reported_on=day)
            if alert:
                messages.warning(request, _("Biến thể %(l)s lần đầu ghi nhận trong tỉnh: đã phát cảnh báo.") % {"l": alert.lineage})
        else:
            services.request_sequencing(by=request.user, test=test, requested_on=day, lab_name=request.POST.get("lab_name", ""))
    except Exception as exc:  # Invalid, ParseError, DoesNotExist: shown to the user
        messages.error(request, str(exc))
    return redirect("testing:detail", pk=test.pk)


# --- Screening campaigns ---------------------------------------------------------------------------
@role_required(HEALTH_READERS, edit_roles=LAB_EDITORS)
def campaign_list(request):
    from .campaigns import create_campaign
    from .forms import CampaignForm
    from .models import Campaign

    units = visible_units(request.user).exclude(level=Level.COMMUNE).order_by("path") | visible_units(request.user).filter(
        pk=getattr(request.user.jurisdiction_unit, "pk", None))
    form = CampaignForm(request.POST or None, units=units.distinct(), initial={"deadline": timezone.localdate()})
    if request.method == "POST":
        if form.is_valid():
            try:
                c = create_campaign(by=request.user, **form.cleaned_data)
            except Invalid as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("testing:campaign", pk=c.pk)
    campaigns = scope(Campaign.objects.select_related("unit"), request.user)
    return render(request, "testing/campaigns.html", {"campaigns": campaigns, "form": form, "can_edit": request.user.has_role(LAB_EDITORS)})


@role_required(HEALTH_READERS, edit_roles=LAB_EDITORS)
def campaign_detail(request, pk):
    from core.batches import start_import

    from .campaigns import compliance_by_group, window, with_compliance
    from .forms import TargetImportForm
    from .models import Campaign, CampaignTarget

    campaign = scoped_object(request, Campaign, pk=pk)
    form = TargetImportForm(request.POST or None, request.FILES or None)
    batch = None
    if request.method == "POST":
        if form.is_valid():
            # In the background like every import (core.batches): progress and report below the form.
            batch = start_import(kind="campaign_targets", by=request.user, upload=form.cleaned_data["file"],
                                 options={"campaign": campaign.pk})
    targets = scope(CampaignTarget.objects.filter(campaign=campaign), request.user)
    group = request.GET.get("don-vi")
    missing = with_compliance(campaign, targets).filter(compliant=False).select_related("person", "person__commune")
    if group:
        missing = missing.filter(group=group)
    return render(request, "testing/campaign.html", {
        "campaign": campaign, "groups": compliance_by_group(campaign, targets), "missing": missing.order_by("group", "person__name_folded")[:500],
        "window": window(campaign), "form": form, "batch": batch, "group": group,
        "can_edit": request.user.has_role(LAB_EDITORS),
    })


@role_required(HEALTH_READERS)
def campaign_export(request, pk):
    from django.http import HttpResponse

    from .campaigns import export_xlsx
    from .models import Campaign, CampaignTarget

    campaign = scoped_object(request, Campaign, pk=pk)
    targets = scope(CampaignTarget.objects.filter(campaign=campaign), request.user)
    data = export_xlsx(by=request.user, campaign=campaign, targets=targets, missing_only=request.GET.get("tat-ca") != "1",
                       structure=areas.structure_from_request(request))
    resp = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="sang-loc-{campaign.pk}.xlsx"'
    return resp
