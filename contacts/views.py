"""Pages of contact tracing: contacts of a case, contact detail with its rule and follow-up, conversion to F0,
chain graph, unmonitored list, outbreaks, arrivals and the public health declaration."""
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import CASE_REGISTRARS, CLINICAL_EDITORS, HEALTH_READERS
from core.auditing import record_read
from core.concurrency import EditConflict
from core.errors import Invalid
from core.scoping import scope
from core.views import role_required, scoped_object
from diseases.selectors import disease_choices
from geo import areas
from people.models import Person

from . import services
from .forms import (
    ArrivalForm,
    CheckForm,
    ContactEditForm,
    ContactForm,
    ConvertForm,
    LinkCaseForm,
    OutbreakForm,
    PublicDeclarationForm,
)
from .models import Arrival, Contact, Outbreak

TRACERS = CLINICAL_EDITORS



def _case(request, pk):
    from cases.models import Case

    return scoped_object(request, Case.objects.select_related("person", "commune"), pk=pk)


def _contacts(user):
    return scope(Contact.objects.select_related("person", "person__commune", "source_case", "source_case__person", "rule_set"), user)


@role_required(HEALTH_READERS)
def contact_list(request):
    today = timezone.localdate()
    qs = _contacts(request.user)
    view = request.GET.get("xem", "following")
    if view == "following":
        qs = services.under_follow_up(qs, today)
    elif view == "unmonitored":
        qs = services.unmonitored(qs, today)
    elif view == "tests":
        qs = services.tests_due(qs, today)
    if request.GET.get("disease"):  # every disease unless one is chosen (docs/diseases.md)
        qs = qs.filter(disease__code=request.GET["disease"])
    q = request.GET.get("q", "").strip()
    if q:
        from people.services import search_people

        qs = qs.filter(person__in=search_people(Person.objects.all(), q))
    # Under follow-up: whose follow-up ends first; everything: newest first (walks the primary key, no sort).
    order = ("-id",) if view == "all" else ("follow_up_end", "id")
    page = Paginator(qs.order_by(*order), 25).get_page(request.GET.get("page"))
    disease = request.GET.get("disease", "")
    return render(request, "contacts/list.html", {"page_obj": page, "view": view, "q": q, "today": today,
                                                  "diseases": disease_choices(), "disease": disease,
                                                  "querystring_prefix": f"xem={view}&q={q}&disease={disease}&"})


@role_required(HEALTH_READERS, edit_roles=TRACERS)
def case_contacts(request, case_pk):
    """The contacts of one case, and the form to trace one more."""
    case = _case(request, case_pk)
    contacts = _contacts(request.user).filter(source_case=case).order_by("id")
    form = ContactForm(request.POST or None, user=request.user, f1s=contacts.filter(generation="F1"))
    duplicates = []
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            existing = None
            if data.get("existing_person"):
                existing = scoped_object(request, Person, pk=data["existing_person"])
            try:
                with transaction.atomic():
                    person, duplicates = services.find_or_create_person(
                        by=request.user, data=form.person_data(), existing=existing, accept_new=data.get("accept_new"),
                        visible=scope(Person.objects.all(), request.user))
                    if person is not None:
                        services.add_contact(
                            by=request.user, source_case=case, person=person, first_exposure_on=data.get("first_exposure_on"),
                            last_exposure_on=data["last_exposure_on"], setting=data["setting"], place=data["place"],
                            fully_vaccinated=data.get("fully_vaccinated"), last_dose_on=data.get("last_dose_on"),
                            recovered_on=data.get("recovered_on"), source_contact=data.get("source_contact"),
                            generation="F2" if data.get("source_contact") else "F1")
            except Invalid as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            else:
                if person is not None:
                    messages.success(request, _("Đã ghi nhận người tiếp xúc %(name)s.") % {"name": person.full_name})
                    return redirect("contacts:case", case_pk=case.pk)
                form.add_error(None, _("Có thể trùng với người đã có. Chọn một người dưới đây hoặc đánh dấu tạo hồ sơ mới."))
    return render(request, "contacts/case.html", {"case": case, "contacts": contacts, "form": form, "duplicates": duplicates,
                                                  "can_edit": request.user.has_role(TRACERS), "link_form": LinkCaseForm()})


@role_required(TRACERS)
@require_POST
def link_case(request, case_pk):
    case = _case(request, case_pk)
    form = LinkCaseForm(request.POST)
    if form.is_valid():
        infected = _case(request, form.cleaned_data["infected_case"])
        try:
            services.link_cases(by=request.user, infector_case=case, infected_case=infected,
                                last_exposure_on=form.cleaned_data["last_exposure_on"])
        except Invalid as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã liên kết chuỗi lây."))
    else:
        messages.error(request, _("Dữ liệu không hợp lệ."))
    return redirect("contacts:case", case_pk=case.pk)


@role_required(HEALTH_READERS)
def contact_detail(request, pk):
    contact = scoped_object(request, _contacts(request.user).select_related("converted_case", "outbreak"), pk=pk)
    record_read(by=request.user, obj=contact, person_id=contact.person_id)
    from testing.models import Result, Test

    tests = Test.objects.filter(person=contact.person).order_by("-taken_on")
    positive = tests.filter(result=Result.POSITIVE)
    can_edit = request.user.has_role(TRACERS)
    today = timezone.localdate()
    return render(request, "contacts/detail.html", {
        "contact": contact, "rule": contact.rule_set, "checks": contact.checks.select_related("test")[:60],
        "tests": tests[:20], "can_edit": can_edit, "can_convert": request.user.has_role(CASE_REGISTRARS),
        "check_form": CheckForm(initial={"day": today}),
        "convert_form": ConvertForm(tests=positive, initial={"confirmed_on": positive[0].reported_on if positive else today,
                                                              "test": positive[0] if positive else None}),
        "edit_form": ContactEditForm(initial={**{k: getattr(contact, k) for k in services.EDITABLE if k != "outbreak"}, "version": contact.version}),
        "test_dates": [dt.date.fromisoformat(d) for d in contact.test_dates],
    })


@role_required(TRACERS)
@require_POST
def contact_edit(request, pk):
    contact = scoped_object(request, _contacts(request.user), pk=pk)
    form = ContactEditForm(request.POST)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.update_contact(by=request.user, contact=contact, data=data, expected_version=form.cleaned_data["version"])
        except EditConflict as exc:
            messages.error(request, str(exc))
        except Invalid as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã lưu thay đổi."))
    else:
        messages.error(request, _("Dữ liệu không hợp lệ."))
    return redirect("contacts:detail", pk=contact.pk)


@role_required(TRACERS)
@require_POST
def add_check(request, pk):
    contact = scoped_object(request, _contacts(request.user), pk=pk)
    form = CheckForm(request.POST)
    if form.is_valid():
        try:
            services.record_check(by=request.user, contact=contact, **form.cleaned_data)
        except Invalid as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã ghi phiếu theo dõi."))
    else:
        messages.error(request, _("Dữ liệu không hợp lệ."))
    return redirect("contacts:detail", pk=contact.pk)


# Opening a case is registering one (core.roles "cases.register"): care teams follow contacts but do not register F0.
@role_required(CASE_REGISTRARS)
@require_POST
def convert(request, pk):
    """F1 → F0 in one step, keeping the link."""
    contact = scoped_object(request, _contacts(request.user), pk=pk)
    from testing.models import Result, Test

    form = ConvertForm(request.POST, tests=Test.objects.filter(person=contact.person, result=Result.POSITIVE))
    if form.is_valid():
        try:
            case = services.convert_to_case(by=request.user, contact=contact, confirmed_on=form.cleaned_data["confirmed_on"],
                                            test=form.cleaned_data.get("test"))
        except Invalid as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã chuyển thành F0 #%(pk)s.") % {"pk": case.pk})
            return redirect("contacts:case", case_pk=case.pk)
    else:
        messages.error(request, _("Dữ liệu không hợp lệ."))
    return redirect("contacts:detail", pk=contact.pk)


@role_required(HEALTH_READERS, edit_roles=CASE_REGISTRARS)
def open_case_from_test(request, test_pk):
    """A positive test offers to open the case: convert the person's open contact, or open a new case."""
    from testing.models import Result, Test

    test = scoped_object(request, Test.objects.select_related("person"), pk=test_pk)
    if test.result != Result.POSITIVE:
        messages.error(request, str(Invalid("Chỉ mở ca bệnh từ xét nghiệm dương tính.", "Only a positive test opens a case.")))
        return redirect("testing:detail", pk=test.pk)
    contact = services.open_contact_for_test(test)
    if request.method == "POST":
        try:
            case = services.open_case_from_test(by=request.user, test=test)
        except Invalid as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã mở ca bệnh F0 #%(pk)s.") % {"pk": case.pk})
            return redirect("contacts:case", case_pk=case.pk)
    return render(request, "contacts/open_case.html", {"test": test, "contact": contact})


@role_required(HEALTH_READERS)
def chain_page(request, case_pk):
    case = _case(request, case_pk)
    return render(request, "contacts/chain.html", {"case": case, "api_url": reverse("contacts-chain", args=[case.pk])})


@login_required
def unmonitored(request):
    request.GET = request.GET.copy()
    request.GET["xem"] = "unmonitored"
    return contact_list(request)


# --- Outbreaks -------------------------------------------------------------------------------------
@role_required(HEALTH_READERS, edit_roles=TRACERS)
def outbreak_list(request):
    qs = scope(Outbreak.objects.select_related("commune", "disease"), request.user).annotate(n_cases=Count("cases", distinct=True))
    code = request.GET.get("disease")
    if code:  # every disease unless one is chosen; rows without one are the COVID-19 seeds' (Outbreak.disease_code)
        qs = qs.filter(Q(disease__code=code) | Q(disease__isnull=True) if code == Outbreak(disease=None).disease_code
                       else Q(disease__code=code))
    form = OutbreakForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            try:
                ob = services.create_outbreak(by=request.user, **{k: v for k, v in form.cleaned_data.items()})
            except Invalid as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("contacts:outbreak", pk=ob.pk)
    # An outbreak keeps the commune of its time; on today's map its row names the commune that now governs it.
    structure = areas.structure_from_request(request)
    outbreaks = areas.label_records(qs.order_by("status", "-started_on")[:200], "commune", structure)
    points = [{"name": o.name, "lat": o.latitude, "lng": o.longitude, "active": o.status == "active",
               "url": reverse("contacts:outbreak", args=[o.pk])} for o in outbreaks if o.latitude is not None]
    return render(request, "contacts/outbreaks.html", {"outbreaks": outbreaks, "form": form, "points": points,
                                                       "can_edit": request.user.has_role(TRACERS), "structure": structure,
                                                       "diseases": disease_choices(), "disease": request.GET.get("disease", "")})


@role_required(HEALTH_READERS, edit_roles=TRACERS)
def outbreak_detail(request, pk):
    ob = scoped_object(request, Outbreak.objects.select_related("commune", "closing_rule", "disease", "village"), pk=pk)
    today = timezone.localdate()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "close":
                services.close_outbreak(by=request.user, outbreak=ob, on=today)
                messages.success(request, _("Đã kết thúc ổ dịch."))
            elif request.POST.get("action") == "vector":
                from core.parsing import ParseError, parse_date

                try:
                    started, ended = parse_date(request.POST.get("started_on") or ""), parse_date(request.POST.get("ended_on") or "")
                except ParseError as exc:
                    raise Invalid(exc.vi, exc.en)
                if started is None or ended is None:
                    raise Invalid("Phải nhập ngày bắt đầu và kết thúc.", "The start and end dates are required.")
                services.record_vector_action(
                    by=request.user, outbreak=ob, kind=request.POST.get("kind", ""), started_on=started, ended_on=ended,
                    households_targeted=int(request.POST.get("households_targeted") or 0),
                    households_covered=int(request.POST.get("households_covered") or 0),
                    round_number=int(request.POST.get("round_number") or 1), note=request.POST.get("note", "")[:300])
                messages.success(request, _("Đã ghi biện pháp xử lý véc-tơ."))
            else:
                services.add_case_to_outbreak(by=request.user, outbreak=ob, case=_case(request, int(request.POST.get("case") or 0)))
                messages.success(request, _("Đã thêm ca bệnh vào ổ dịch."))
        except (Invalid, ValueError) as exc:
            messages.error(request, str(exc))
        return redirect("contacts:outbreak", pk=ob.pk)
    from cases.models import Case

    cases = scope(Case.objects.filter(outbreaks=ob).select_related("person"), request.user).order_by("confirmed_on")
    contacts = _contacts(request.user).filter(outbreak=ob).order_by("id")
    from .models import VectorControlAction

    return render(request, "contacts/outbreak.html", {"ob": ob, "cases": cases, "contacts": contacts,
                                                      "state": services.closing_state(ob, today), "can_edit": request.user.has_role(TRACERS),
                                                      "vector_actions": ob.vector_actions.all(), "vector_kinds": VectorControlAction.Kind.choices,
                                                      "today": today})


# --- Arrivals and the public declaration -----------------------------------------------------------
@role_required(HEALTH_READERS, edit_roles=TRACERS)
def arrival_list(request):
    qs = scope(Arrival.objects.select_related("person", "person__commune", "rule_set"), request.user)
    today = timezone.localdate()
    view = request.GET.get("xem", "all")
    if view == "following":
        qs = services.arrivals_under_follow_up(qs, today)
    elif view == "unmonitored":
        qs = services.unmonitored_arrivals(qs, today)
    if request.method == "POST" and request.POST.get("action") == "check":  # TRACERS: checked by @role_required
        arrival = scoped_object(request, qs.model.objects.all(), pk=int(request.POST.get("arrival") or 0))
        try:
            services.record_arrival_check(by=request.user, arrival=arrival, day=today, has_symptoms=bool(request.POST.get("has_symptoms")),
                                          note=request.POST.get("note", ""))
        except Invalid as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã ghi phiếu theo dõi."))
        return redirect(f"{request.path}?xem={view}")
    form = ArrivalForm(request.POST or None, user=request.user)
    duplicates = []
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            existing = scoped_object(request, Person, pk=d["existing_person"]) if d.get("existing_person") else None
            try:
                with transaction.atomic():
                    person, duplicates = services.find_or_create_person(by=request.user, data=form.person_data(), existing=existing,
                                                                        accept_new=d.get("accept_new"), visible=scope(Person.objects.all(), request.user))
                    if person is not None:
                        services.record_arrival(by=request.user, person=person, origin=d["origin"], arrived_on=d["arrived_on"],
                                                means=d["means"], symptoms=d["symptoms"], fully_vaccinated=d.get("fully_vaccinated"))
            except Invalid as exc:
                form.add_error(None, str(exc))
            else:
                if person is not None:
                    messages.success(request, _("Đã ghi nhận người đến."))
                    return redirect("contacts:arrivals")
                form.add_error(None, _("Có thể trùng với người đã có. Chọn một người dưới đây hoặc đánh dấu tạo hồ sơ mới."))
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "contacts/arrivals.html", {"page_obj": page, "form": form, "duplicates": duplicates, "view": view,
                                                      "today": today, "can_edit": request.user.has_role(TRACERS),
                                                      "querystring_prefix": f"xem={view}&"})


PUBLIC_POSTS_PER_HOUR = 30  # per client address (a checkpoint's shared phone may send many declarations)


def public_declaration(request):
    """Khai báo y tế: no account, phone-friendly. Feeds the arrivals list and the people registry, de-duplicated."""
    from core.ratelimit import client_key, hit, too_many
    from geo.areas import installation_units
    from geo.models import Level

    if request.method == "POST" and hit(f"contacts:declaration:{client_key(request)}", PUBLIC_POSTS_PER_HOUR):
        return too_many()
    # The communes of the province this installation serves (not the whole country's 10,000).
    # On both structures (geo.areas): a traveller may name the commune of today's map or the one he has always known.
    communes = installation_units().filter(level=Level.COMMUNE)
    form = PublicDeclarationForm(request.POST or None, communes=communes)
    if request.method == "POST" and form.is_valid() and not form.cleaned_data.get("website"):
        d = form.cleaned_data
        data = form.person_data()
        from people.rules import normalize_phone

        try:
            with transaction.atomic():
                phone = normalize_phone(data["phone"]) if data["phone"] else ""
                person, dups = services.find_or_create_person(by=None, data=data, accept_new=False)
                if person is None:
                    # Same name, birth year and commune: the same person only if the phone matches too.
                    person = next((p for p in dups if phone and p.phone == phone), None)
                    if person is None:
                        person, _dups = services.find_or_create_person(by=None, data=data, accept_new=True)
                services.record_arrival(by=None, person=person, origin=d["origin"], arrived_on=d["arrived_on"], means=d["means"],
                                        symptoms=d["symptoms"], fully_vaccinated=d.get("fully_vaccinated"), via=Arrival.Via.PUBLIC_FORM)
        except Invalid as exc:
            form.add_error(None, str(exc))
        else:
            return render(request, "contacts/public_thanks.html", {})
    return render(request, "contacts/public_declaration.html", {"form": form})
