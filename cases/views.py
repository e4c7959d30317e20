"""Pages of the case registry. Thin: every write goes through cases.services; every queryset through core.scoping."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import CASE_REGISTRARS, CLINICAL_EDITORS, HEALTH_READERS, Role
from audit.services import record
from core.auditing import record_read
from core.concurrency import EditConflict
from core.errors import Invalid
from core.scoping import scope, visible_units
from core.views import role_required, scoped_object
from diseases.selectors import disease_choices
from facilities.models import Facility, Team
from geo import areas
from people.models import Person

from . import board as board_mod
from . import services
from .choices import CareSetting, Classification, Status, TestKind
from .forms import (
    AdmissionForm,
    CaseEditForm,
    CaseForm,
    CheckForm,
    DispensingForm,
    ImportForm,
    ReleaseForm,
    SupportForm,
    TransferForm,
)
from .models import Alert, Case


def _case(request, pk):
    return scoped_object(request, Case.objects.select_related("person", "commune", "team", "station", "facility", "disease"), pk=pk)


def _invalid(request, exc):
    messages.error(request, exc.vi if request.LANGUAGE_CODE != "en" else exc.en)


@role_required(HEALTH_READERS)
def case_list(request):
    qs = scope(Case.objects.select_related("person", "commune", "team"), request.user)
    q = request.GET.get("q", "").strip()
    if q:
        from core.text import fold

        qs = qs.filter(Q(person__name_folded__contains=fold(q)) | Q(person__phone__contains=q) | Q(person__id_number=q))
    for key in ("status", "care_setting", "team"):
        if request.GET.get(key):
            qs = qs.filter(**{key if key in ("status", "care_setting") else f"{key}_id": request.GET[key]})
    # "Theo địa giới": a commune of either structure, with the communes that roll up into it (geo.areas).
    structure = areas.structure_from_request(request)
    if request.GET.get("commune"):
        qs = qs.filter(areas.unit_filter_q(request.GET["commune"], "commune"))
    if request.GET.get("den_han"):
        # Checks due today (cases.board.due_today): the longest without a check first.
        now = timezone.now()
        qs = qs.filter(board_mod.due_today_q(now, board_mod.limits(timezone.localdate(now))), status=Status.ACTIVE,
                       care_setting=CareSetting.HOME)
    if request.GET.get("disease"):  # every disease unless one is chosen (docs/diseases.md)
        qs = qs.filter(disease__code=request.GET["disease"])
    if request.GET.get("classification"):
        qs = qs.filter(classification=request.GET["classification"])
    # A dashboard or report figure's link: disease, dates (onset or report), unit, age band (cases.selectors).
    from .selectors import figure_filter

    qs = figure_filter(qs, request.GET)
    if request.GET.get("mine"):
        # A care-team member's day: his teams' patients at home, the longest without a check first.
        qs = qs.filter(team__members=request.user, status=Status.ACTIVE, care_setting=CareSetting.HOME)
    if request.GET.get("mine") or request.GET.get("den_han"):
        order = [F("last_check_at").asc(nulls_first=True), "id"]
    else:
        order = ["-confirmed_on", "-id"]
    page = Paginator(qs.order_by(*order), 25).get_page(request.GET.get("page"))
    # Each case's commune of its time, and on today's map the one it rolls up to (one query for the page).
    page.object_list = areas.label_records(page.object_list, "commune", structure)
    context = {
        "has_team": request.user.teams.exists(), "structure": structure,
        "page_obj": page, "q": q, "statuses": Status.choices, "settings": CareSetting.choices,
        "diseases": disease_choices(), "classifications": Classification.choices,
        "communes": areas.communes_for_picker(visible_units(request.user), structure)[:500],
        "can_edit": request.user.has_role(CASE_REGISTRARS),
        "querystring": "&".join(f"{k}={v}" for k, v in request.GET.items() if k != "page"),
    }
    return render(request, "cases/_results.html" if request.htmx else "cases/list.html", context)


@role_required(CASE_REGISTRARS)
def case_create(request):
    person = None
    people = []
    if request.GET.get("person") or request.POST.get("person"):
        person = scoped_object(request, Person.objects.filter(merged_into__isnull=True), pk=request.GET.get("person") or request.POST.get("person"))
    elif request.GET.get("q"):
        from people.services import search_people

        people = search_people(scope(Person.objects.filter(merged_into__isnull=True), request.user), request.GET["q"])[:20]
    teams = scope(Team.objects.filter(kind=Team.Kind.CARE_TEAM, is_active=True), request.user)
    if person is not None:
        teams = teams.filter(commune=person.commune)
    form = CaseForm(request.POST or None, teams=teams, initial={"confirmed_on": timezone.localdate(), "detected_in": "community",
                                                                 "care_setting": "home", "is_pregnant": getattr(person, "is_pregnant", False),
                                                                 "has_comorbidity": bool(getattr(person, "comorbidities", []))})
    if request.method == "POST" and person is not None and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in ("",)}
        data.setdefault("vaccination_status", None)
        data["test_kind"] = form.cleaned_data["test_kind"]  # none yet (a suspected case): the definition decides
        try:
            case = services.open_case(by=request.user, person=person, **data)
        except Invalid as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("Đã ghi nhận ca bệnh."))
            if case.care_setting == CareSetting.HOME:
                assessment = services.home_care_assessment(case)
                if not assessment["eligible"]:
                    messages.warning(request, _("Người bệnh không đủ điều kiện điều trị tại nhà: %(reasons)s") % {
                        "reasons": "; ".join(r.vi if request.LANGUAGE_CODE != "en" else r.en for r in assessment["reasons"])})
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/create.html", {"form": form, "person": person, "people": people, "q": request.GET.get("q", "")})


def _detail_context(request, case):
    can_edit = request.user.has_role(CLINICAL_EDITORS)
    assessment = None
    try:
        assessment = services.home_care_assessment(case)
    except Invalid:
        pass
    release = None
    try:
        rule = services.release_rule_for(case)
        from diseases.rules import why

        from .rules import release_dates

        earliest, latest = release_dates(rule, confirmed_on=case.confirmed_on, fully_vaccinated=case.is_fully_vaccinated)
        release = {"rule": rule, "earliest": earliest, "latest": latest, "why": why(rule, case.confirmed_on, "ngày xác định", "confirmation date")}
    except Invalid:
        pass
    teams = scope(Team.objects.filter(kind=Team.Kind.CARE_TEAM, is_active=True), request.user).filter(commune=case.commune)
    stations = Facility.objects.filter(kind=Facility.Kind.COMMUNE_HEALTH_STATION, unit=case.commune)
    beds = Facility.objects.filter(kind__in=[Facility.Kind.CENTRALISED_FACILITY, Facility.Kind.PROVINCIAL_HOSPITAL,
                                             Facility.Kind.DISTRICT_HEALTH_CENTRE], is_active=True)
    return {
        "case": case, "can_edit": can_edit, "assessment": assessment, "release": release,
        "open_alerts": case.alerts.filter(acknowledged_at__isnull=True).order_by("-raised_at"),
        "checks": case.checks.select_related("by")[:10],
        "events": case.events.select_related("by").order_by("-at", "-id")[:50],
        "dispensings": case.dispensings.all()[:20], "supports": case.supports.all()[:20],
        "admissions": case.admissions.select_related("facility")[:10],
        "check_form": CheckForm(rule=services.check_rule(case)), "transfer_form": TransferForm(initial={"version": case.version}),
        "dispensing_form": DispensingForm(), "support_form": SupportForm(initial={"given_on": timezone.localdate()}),
        "release_form": ReleaseForm(initial={"version": case.version, "on": timezone.localdate(), "test_result": "negative"}),
        "edit_form": CaseEditForm(teams=teams, stations=stations, initial={
            "version": case.version, **{f: getattr(case, f) for f in services.EDITABLE if f in CaseEditForm.base_fields and f != "version"}}),
        "admission_form": AdmissionForm(facilities=beds),
        "certificate": getattr(case, "certificate", None) if case.status == Status.RECOVERED else None,
        "age": case.person.age_on(timezone.localdate()),
    }


@role_required(HEALTH_READERS)
def case_detail(request, pk):
    case = _case(request, pk)
    record_read(by=request.user, obj=case, person_id=case.person_id)
    return render(request, "cases/detail.html", _detail_context(request, case))


def _post_case(request, pk):
    if request.method != "POST":
        raise Http404
    return _case(request, pk)  # the view's @role_required(CLINICAL_EDITORS) checked the role


def _back(case, anchor=""):
    return redirect(reverse("cases:detail", args=[case.pk]) + anchor)


@role_required(CLINICAL_EDITORS)
def add_check(request, pk):
    case = _post_case(request, pk)
    form = CheckForm(request.POST, rule=services.check_rule(case))
    if not form.is_valid():
        messages.error(request, _("Phiếu theo dõi không hợp lệ."))
        return _back(case)
    data = dict(form.cleaned_data)
    try:
        result = services.record_check(by=request.user, case=case, data=data, idempotency_key=data.pop("idempotency_key") or "")
    except Invalid as exc:
        _invalid(request, exc)
        return _back(case, "#check")
    if result.signs:
        messages.error(request, _("CẢNH BÁO: %(signs)s. Hãy xử trí và tiếp nhận cảnh báo.") % {
            "signs": "; ".join(s["message_vi"] if request.LANGUAGE_CODE != "en" else s["message_en"] for s in result.signs)})
    else:
        messages.success(request, _("Đã ghi phiếu theo dõi, không có dấu hiệu cảnh báo."))
    return _back(case)


@role_required(CLINICAL_EDITORS)
def acknowledge(request, alert_pk):
    if request.method != "POST":
        raise Http404
    alert = scoped_object(request, Alert.objects.select_related("case"), pk=alert_pk)
    if services.acknowledge_alert(by=request.user, alert=alert, note=request.POST.get("note", "")):
        messages.success(request, _("Đã tiếp nhận cảnh báo."))
    else:
        messages.info(request, _("Cảnh báo này đã được %(who)s tiếp nhận trước.") % {"who": alert.acknowledged_by})
    return redirect(request.POST.get("next") or reverse("cases:detail", args=[alert.case_id]))


@role_required(CLINICAL_EDITORS)
def transfer(request, pk):
    case = _post_case(request, pk)
    form = TransferForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Thông tin chuyển viện không hợp lệ."))
        return _back(case)
    try:
        services.transfer_to_hospital(by=request.user, case=case, expected_version=form.cleaned_data["version"],
                                      destination=form.cleaned_data["destination"], destination_text=form.cleaned_data["destination_text"],
                                      reason=form.cleaned_data["reason"], bed_type=form.cleaned_data["bed_type"])
    except EditConflict as exc:
        messages.error(request, str(exc))
    except Invalid as exc:
        _invalid(request, exc)
    else:
        messages.success(request, _("Đã chuyển viện."))
    return _back(case)


@role_required(CLINICAL_EDITORS)
def edit_case(request, pk):
    case = _post_case(request, pk)
    teams = scope(Team.objects.filter(kind=Team.Kind.CARE_TEAM), request.user)
    form = CaseEditForm(request.POST, teams=teams, stations=Facility.objects.filter(kind=Facility.Kind.COMMUNE_HEALTH_STATION))
    if not form.is_valid():
        messages.error(request, _("Thông tin không hợp lệ."))
        return _back(case)
    data = dict(form.cleaned_data)
    version = data.pop("version")
    try:
        services.update_case(by=request.user, case=case, expected_version=version, changes=data)
    except EditConflict as exc:
        messages.error(request, str(exc) + " — " + ", ".join(f"{c.field}: {c.current}" for c in exc.changes))
    except Invalid as exc:
        _invalid(request, exc)
    else:
        messages.success(request, _("Đã lưu thay đổi."))
    return _back(case)


@role_required(CLINICAL_EDITORS)
def add_dispensing(request, pk):
    case = _post_case(request, pk)
    form = DispensingForm(request.POST)
    if form.is_valid():
        try:
            services.dispense(by=request.user, case=case, **form.cleaned_data)
            messages.success(request, _("Đã ghi cấp thuốc."))
        except Invalid as exc:
            _invalid(request, exc)
    else:
        messages.error(request, _("Thông tin cấp thuốc không hợp lệ."))
    return _back(case, "#medicine")


@role_required(CLINICAL_EDITORS)
def add_support(request, pk):
    case = _post_case(request, pk)
    form = SupportForm(request.POST)
    if form.is_valid():
        try:
            services.record_support(by=request.user, case=case, **form.cleaned_data)
            messages.success(request, _("Đã ghi hỗ trợ."))
        except Invalid as exc:
            _invalid(request, exc)
    else:
        messages.error(request, _("Thông tin hỗ trợ không hợp lệ."))
    return _back(case, "#support")


@role_required(CLINICAL_EDITORS)
def release(request, pk):
    case = _post_case(request, pk)
    form = ReleaseForm(request.POST)
    if form.is_valid():
        try:
            services.record_release(by=request.user, case=case, expected_version=form.cleaned_data["version"], on=form.cleaned_data["on"],
                                    test_result=form.cleaned_data["test_result"], self_test=form.cleaned_data["self_test"])
            messages.success(request, _("Đã ghi kết quả."))
        except EditConflict as exc:
            messages.error(request, str(exc))
        except Invalid as exc:
            _invalid(request, exc)
    else:
        messages.error(request, _("Thông tin không hợp lệ."))
    return _back(case)


@role_required(CLINICAL_EDITORS)
def admit(request, pk):
    case = _post_case(request, pk)
    form = AdmissionForm(request.POST, facilities=Facility.objects.filter(is_active=True))
    if form.is_valid():
        try:
            services.admit(by=request.user, case=case, **form.cleaned_data)
            messages.success(request, _("Đã ghi nhập cơ sở điều trị."))
        except Invalid as exc:
            _invalid(request, exc)
    return _back(case)


@role_required(CLINICAL_EDITORS)
def self_report_link(request, pk):
    """The patient's private link and QR code (shown to the care team to hand over)."""
    case = _case(request, pk)
    if request.method == "POST":
        # Only a POST issues a link (a GET must change nothing: prefetching or a crawler would otherwise kill links).
        try:
            services.self_report_token(by=request.user, case=case, renew=True)
        except Invalid as exc:
            _invalid(request, exc)
            return _back(case)
        return redirect("cases:self_report_link", pk=case.pk)
    token = case.self_report_token if case.status == Status.ACTIVE and case.care_setting == CareSetting.HOME else ""
    url = svg = ""
    if token:
        import segno

        from core.security import public_url

        url = public_url(reverse("cases:self_report", args=[token]), request)
        svg = segno.make(url, error="m").svg_inline(scale=5)
    return render(request, "cases/self_report_link.html", {"case": case, "url": url, "qr_svg": svg})


@role_required(HEALTH_READERS)
def alerts(request):
    """Open alerts of the caller's area, newest first: the care team's and health station's inbox."""
    qs = scope(Alert.objects.filter(acknowledged_at__isnull=True).select_related("case__person", "case__team", "case__commune"), request.user)
    # Each case's commune of its time and, on today's map, the commune that now governs it (one query).
    structure = areas.structure_from_request(request)
    rows = areas.label_records(qs.order_by("-raised_at")[:200], "case.commune", structure)
    return render(request, "cases/alerts.html", {"alerts": rows, "can_edit": request.user.has_role(CLINICAL_EDITORS),
                                                 "now": timezone.now(), "structure": structure})


@role_required(HEALTH_READERS)
def unreachable_board(request):
    group = request.GET.get("by") or ("district" if request.user.jurisdiction_unit is None or request.user.jurisdiction_unit.level == "province" else "commune")
    if group not in board_mod.GROUPS:
        group = "commune"
    from geo import areas

    codes = dict(disease_choices())
    disease = request.GET.get("disease") if request.GET.get("disease") in codes else None  # every disease by default
    data = board_mod.board(request.user, group, structure=areas.structure_from_request(request), disease=disease)
    metric = request.GET.get("metric")
    cases = None
    # Leadership reads the counts; the lists of patients are for the health workers who act on them.
    if metric in board_mod.METRIC_KEYS and request.user.role != Role.LEADERSHIP:
        cases = board_mod.metric_cases(request.user, metric, disease=disease).select_related("person", "commune", "team").order_by("last_check_at", "id")[:200]
    return render(request, "cases/board.html", {**data, "metrics": board_mod.METRICS, "groups": board_mod.GROUPS, "metric": metric,
                                                "cases": cases, "diseases": list(codes.items())})


@role_required(CLINICAL_EDITORS)
def certificate_pdf(request, pk):
    case = _case(request, pk)
    try:
        cert = services.issue_certificate(by=request.user, case=case)
    except Invalid as exc:
        _invalid(request, exc)
        return _back(case)
    from .certificate import render_pdf

    record(actor=request.user, action="export", obj=cert, person_id=case.person_id, records=[case.pk])
    response = HttpResponse(render_pdf(cert, request), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="giay-xac-nhan-khoi-benh-{cert.number}.pdf"'
    return response


@role_required(CLINICAL_EDITORS)
def revoke_certificate(request, pk):
    """POST: the recovery certificate's QR code stops verifying (audited); printing it again gives a new code."""
    case = _post_case(request, pk)
    try:
        services.revoke_certificate(by=request.user, case=case, reason=request.POST.get("reason", ""))
        messages.success(request, _("Đã thu hồi giấy xác nhận. Mã QR trên giấy cũ không còn hiệu lực."))
    except Invalid as exc:
        _invalid(request, exc)
    return _back(case)


@role_required(CASE_REGISTRARS)
def import_cases(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    batch = None
    if request.method == "POST" and form.is_valid():
        from core.batches import start_import

        batch = start_import(kind="cases", by=request.user, upload=form.cleaned_data["file"],
                             options={"mode": form.cleaned_data["mode"]})
    return render(request, "cases/import.html", {"form": form, "batch": batch})




@role_required(HEALTH_READERS)
def beds_board(request):
    """Beds by type per treatment facility, occupancy and free beds, totalled per health region (2025 map) or per
    district (pre-2025 map: "Theo địa giới", geo.areas.structure_from_request); cases.beds builds it."""
    from facilities.models import BedType

    from . import beds

    structure = areas.structure_from_request(request)
    return render(request, "cases/beds.html", {
        **beds.board(request.user, structure), "structure": structure, "bed_types": BedType.choices,
    })


@role_required(CLINICAL_EDITORS)
def discharge(request, pk, admission_pk):
    case = _post_case(request, pk)
    admission = case.admissions.filter(pk=admission_pk).select_related("facility").first()
    if admission is None:
        raise Http404
    if services.discharge(by=request.user, admission=admission):
        messages.success(request, _("Đã ghi ra khỏi cơ sở."))
    return _back(case)


@role_required(HEALTH_READERS, edit_roles=CLINICAL_EDITORS)
def investigation(request, pk):
    """Case investigation and classification (e.g. a suspected measles case confirmed by IgM): the questions and
    the classes come from the disease's case definition in force on the case's day (docs/diseases.md)."""
    import datetime as dt

    from core.concurrency import EditConflict
    from diseases.selectors import definition

    case = _case(request, pk)
    try:
        rule = definition(case.disease, case.confirmed_on)
    except Invalid as exc:
        _invalid(request, exc)
        return _back(case)
    lang_en = request.LANGUAGE_CODE == "en"
    fields = [f for f in (rule.value("investigation_fields") or []) if isinstance(f, dict) and f.get("code")]
    signs = [(e["code"], e.get("en" if lang_en else "vi") or e["code"]) for e in (rule.value("signs") or []) if isinstance(e, dict) and e.get("code")]
    classes = [(c, label) for c, label in Classification.choices if c in (rule.value("classifications") or [])]
    errors = []
    if request.method == "POST":
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            raise Http404
        try:
            if request.POST.get("action") == "classify":
                services.classify_case(case, by=request.user, classification=request.POST.get("classification", ""),
                                       test_kind=request.POST.get("test_kind", ""), epi_link=bool(request.POST.get("epi_link")),
                                       clinical_signs=request.POST.getlist("clinical_signs"), expected_version=version)
                messages.success(request, _("Đã cập nhật phân loại ca bệnh."))
            else:
                answers = {}
                for f in fields:
                    raw = request.POST.get(f"q-{f['code']}", "")
                    try:
                        answers[f["code"]] = services.clean_investigation_answer(f, raw)
                    except Invalid as exc:
                        errors.append((f.get("vi"), exc))
                if not errors:
                    services.update_investigation(case, by=request.user, answers=answers, expected_version=version)
                    messages.success(request, _("Đã lưu phiếu điều tra ca bệnh."))
            if not errors:
                return redirect("cases:investigation", pk=case.pk)
        except EditConflict:
            messages.error(request, _("Ca bệnh vừa được người khác sửa; hãy xem lại và lưu lại."))
            case.refresh_from_db()
        except Invalid as exc:
            _invalid(request, exc)
    answers = case.investigation or {}
    rows = []
    for f in fields:
        value = answers.get(f["code"])
        if f.get("type") == "date" and value:
            try:
                value = dt.date.fromisoformat(value).strftime("%d/%m/%Y")
            except ValueError:
                pass
        rows.append({"code": f["code"], "label": f.get("en" if lang_en else "vi") or f["code"], "type": f.get("type", "text"),
                     "value": "" if value is None else value})
    # The person's positive lab records of a test the definition names (e.g. a measles IgM): offered as the
    # confirming test, the newest preselected while the case has none.
    from testing.selectors import positive_tests

    named = list(rule.value("confirming_tests") or []) + list(rule.value("probable_tests") or [])
    lab_tests = positive_tests(person_id=case.person_id, disease_id=case.disease_id, kinds=named)
    chosen_kind = case.test_kind or (lab_tests[0].kind if lab_tests else "")
    return render(request, "cases/investigation.html", {
        "case": case, "rule": rule, "rows": rows, "signs": signs, "classes": classes, "errors": errors,
        "test_kinds": TestKind.choices, "can_edit": request.user.has_role(CLINICAL_EDITORS),
        "lab_tests": lab_tests, "chosen_kind": chosen_kind,
    })
