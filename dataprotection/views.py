"""Pages of the data-protection registers, for system administrators and the Department of Health."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exports import SafeWriter
from core.roles import Role
from core.scoping import scope
from core.views import role_required, scoped_object

from . import services
from .forms import BreachForm, DecisionForm, NotifiedForm, RequestForm
from .models import Breach, DeadlineRule, RetentionRule, SubjectRequest
from .roles import DP_OFFICERS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _errors(form, exc: ValidationError):
    for message in exc.messages:
        form.add_error(None, message)


@role_required(DP_OFFICERS)
def index(request):
    requests = scope(SubjectRequest.objects.select_related("handler"), request.user)
    open_requests = list(requests.filter(status__in=services.OPEN).order_by("due_on", "pk")[:200])
    done = list(requests.filter(status=SubjectRequest.Status.DONE).order_by("-answered_on", "-pk")[:50])
    breaches = list(scope(Breach.objects.all(), request.user)[:100])
    return render(request, "dataprotection/index.html", {
        "open_requests": open_requests, "done_requests": done, "breaches": breaches,
        "deadline_rules": DeadlineRule.objects.all(), "today": timezone.localdate(),
    })


@role_required(DP_OFFICERS)
def request_new(request):
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from people.models import Person

        person = scope(Person.objects.all(), request.user).filter(pk=form.cleaned_data["person"]).first()
        if person is None:
            form.add_error("person", _("Không có hồ sơ này trong địa bàn của bạn"))
        else:
            try:
                req = services.receive_request(
                    by=request.user, person=person, kind=form.cleaned_data["kind"],
                    requester=form.cleaned_data["requester"], received_on=form.cleaned_data["received_on"],
                    detail=form.cleaned_data["detail"])
                return redirect("dataprotection:request", pk=req.pk)
            except ValidationError as exc:
                _errors(form, exc)
    return render(request, "dataprotection/request_new.html", {"form": form})


@role_required(DP_OFFICERS)
def request_detail(request, pk):
    req = scoped_object(request, SubjectRequest.objects.select_related("person", "handler", "commune"), pk=pk)
    form = DecisionForm(request.POST or None, initial={"answered_on": timezone.localdate().strftime("%d/%m/%Y")})
    if request.method == "POST" and form.is_valid():
        try:
            services.decide(by=request.user, req=req, **form.cleaned_data)
            messages.success(request, _("Đã ghi quyết định"))
            return redirect("dataprotection:request", pk=req.pk)
        except ValidationError as exc:
            _errors(form, exc)
    return render(request, "dataprotection/request_detail.html", {"req": req, "form": form})


@role_required(DP_OFFICERS)
def request_export(request, pk):
    """An access request's answer: the person's data as XLSX. Scoped twice: the request, then the person."""
    req = scoped_object(request, SubjectRequest.objects.all(), pk=pk)
    from people.models import Person

    person = scoped_object(request, Person.objects.all(), pk=req.person_id)
    services.start_request(by=request.user, req=req)
    data = services.export_person_data(by=request.user, person=person, req=req)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="du-lieu-ca-nhan-yeu-cau-{req.pk}.xlsx"'
    return response


@role_required(DP_OFFICERS)
def breach_new(request):
    form = BreachForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            breach = services.record_breach(by=request.user, data=form.cleaned_data)
            return redirect("dataprotection:breach", pk=breach.pk)
        except ValidationError as exc:
            _errors(form, exc)
    return render(request, "dataprotection/breach_new.html", {"form": form})


@role_required(DP_OFFICERS)
def breach_detail(request, pk):
    breach = scoped_object(request, Breach.objects.all(), pk=pk)
    form = NotifiedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mark_notified(by=request.user, breach=breach, **form.cleaned_data)
            return redirect("dataprotection:breach", pk=breach.pk)
        except ValidationError as exc:
            _errors(form, exc)
    return render(request, "dataprotection/breach_detail.html", {"breach": breach, "form": form})


@role_required(DP_OFFICERS)
def retention(request):
    return render(request, "dataprotection/retention.html", {
        "rules": RetentionRule.objects.all(), "report": services.retention_report(),
    })


@require_POST
# Irreversible and province-wide: only the system administrator runs it by hand (the job runs weekly).
@role_required(DP_OFFICERS, edit_roles=frozenset({Role.SYSADMIN}))
def retention_apply(request):
    done = services.apply_retention(by=request.user)
    messages.success(request, _("Đã ẩn danh hoá %(n)s hồ sơ") % {"n": sum(done.values())})
    return redirect("dataprotection:retention")


@role_required(DP_OFFICERS)
def dpia_export(request):
    response = HttpResponse(services.dpia_workbook(by=request.user), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="ho-so-danh-gia-tac-dong.xlsx"'
    return response


class _Echo:
    def write(self, value):
        return value


@role_required(DP_OFFICERS)
def research_export(request):
    """Streamed CSV: memory stays flat for the whole province."""

    from people.models import Person

    qs = scope(Person.objects.filter(merged_into__isnull=True), request.user)
    writer = SafeWriter(_Echo())
    rows = services.research_rows(by=request.user, qs=qs)
    header = next(rows)  # audited before the first byte leaves
    response = StreamingHttpResponse(
        (writer.writerow(r) for r in _prepend(["\ufeff" + header[0]] + header[1:], rows)),
        content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="du-lieu-an-danh-nghien-cuu.csv"'
    return response


def _prepend(first, rest):
    yield first
    yield from rest
