"""Pages: report archive and downloads, generate now, outside figures, public feedback form, triage."""
from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import selectors as accounts_selectors
from audit.services import record
from core.concurrency import EditConflict
from core.errors import Invalid
from core.parsing import ParseError, parse_date
from core.scoping import scope
from core.views import role_required, scoped_object

from . import services
from .models import Feedback, OutsideFigures, SituationReport
from .roles import FEEDBACK_ANSWERERS, FEEDBACK_TRIAGE, REPORT_EDITORS, REPORT_READERS


@role_required(REPORT_READERS)
def report_list(request):
    page = Paginator(scope(SituationReport.objects.all(), request.user), 30).get_page(request.GET.get("page"))
    latest = page.object_list[0] if page.number == 1 and page.object_list else None
    return render(request, "reports/list.html", {
        "page": page, "latest": latest, "can_edit": request.user.has_role(REPORT_EDITORS),
        "figures": scope(OutsideFigures.objects.all(), request.user)[:5], "today": timezone.localdate(),
    })


@role_required(REPORT_EDITORS)
@require_POST
def report_generate(request):
    try:
        day = parse_date(request.POST.get("day") or "") or timezone.localdate()
    except ParseError as exc:
        messages.error(request, exc.vi)
        return redirect("reports:list")
    from geo import areas

    structure = request.POST.get("structure")
    report = services.generate_report(day, by=request.user,
                                      structure=structure if structure in areas.STRUCTURES else None)
    messages.success(request, _("Đã lập báo cáo %(n)s.") % {"n": report.number})
    return redirect("reports:list")


@role_required(REPORT_READERS)
def report_download(request, pk, fmt):
    report = scoped_object(request, SituationReport, pk=pk)
    f = {"docx": report.docx, "pdf": report.pdf, "xlsx": report.xlsx}.get(fmt)
    if not f:
        raise Http404
    record(actor=request.user, action="export", obj=report, records=[report.pk], note=fmt)
    from core.files import serve_file

    return serve_file(f, filename=f"bao-cao-{report.day:%Y-%m-%d}.{fmt}")


class FiguresForm(forms.Form):
    day = forms.CharField(label=gettext_lazy("Ngày số liệu (dd/mm/yyyy)"))
    national_cases = forms.IntegerField(label=gettext_lazy("Số ca mắc cả nước (cộng dồn)"), required=False, min_value=0)
    national_deaths = forms.IntegerField(label=gettext_lazy("Số ca tử vong cả nước (cộng dồn)"), required=False, min_value=0)
    national_population = forms.IntegerField(label=gettext_lazy("Dân số cả nước"), required=False, min_value=1)
    world_rank = forms.IntegerField(label=gettext_lazy("Xếp hạng số ca mắc trên thế giới"), required=False, min_value=1)
    world_rank_per_million = forms.IntegerField(label=gettext_lazy("Xếp hạng số ca/1 triệu dân"), required=False, min_value=1)
    countries = forms.IntegerField(label=gettext_lazy("Số quốc gia và vùng lãnh thổ"), required=False, min_value=1)
    province_population = forms.IntegerField(label=gettext_lazy("Dân số của tỉnh"), required=False, min_value=1)
    source = forms.CharField(label=gettext_lazy("Nguồn"), required=False, max_length=300)

    def clean_day(self):
        try:
            return parse_date(self.cleaned_data["day"])
        except ParseError as exc:
            raise forms.ValidationError(exc.vi)


@role_required(REPORT_EDITORS)
def outside_figures(request):
    form = FiguresForm(request.POST or None, initial={"day": timezone.localdate().strftime("%d/%m/%Y")})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        day = data.pop("day")
        try:
            services.save_outside_figures(by=request.user, day=day, values=data)
            messages.success(request, _("Đã lưu số liệu."))
            return redirect("reports:list")
        except Invalid as exc:
            form.add_error(None, exc.vi)
    return render(request, "reports/figures.html", {"form": form})


# --- feedback ----------------------------------------------------------------------------------------------
class FeedbackForm(forms.Form):
    sender_kind = forms.ChoiceField(label=gettext_lazy("Người gửi là"), choices=Feedback.Sender.choices)
    topic = forms.ChoiceField(label=gettext_lazy("Chủ đề"), choices=Feedback.Topic.choices)
    district = forms.ModelChoiceField(label=gettext_lazy("Huyện/thành phố"), queryset=None, required=False)
    text = forms.CharField(label=gettext_lazy("Nội dung phản ánh, kiến nghị"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000)
    name = forms.CharField(label=gettext_lazy("Họ tên / tên doanh nghiệp (không bắt buộc)"), required=False, max_length=200)
    contact = forms.CharField(label=gettext_lazy("Điện thoại hoặc email để nhận trả lời (không bắt buộc)"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from directives.catalog import province_districts
        from geo.models import AdministrativeUnit

        self.fields["district"].queryset = AdministrativeUnit.objects.filter(pk__in=[d.pk for d in province_districts()])


PUBLIC_POSTS_PER_HOUR = 20  # per client address: enough for a shared office connection, not for a flood


def feedback_public(request):
    """Public (no login) form; shows nothing personal, only a confirmation."""
    from core.ratelimit import client_key, hit, too_many

    if request.method == "POST" and hit(f"reports:feedback:{client_key(request)}", PUBLIC_POSTS_PER_HOUR):
        return too_many()
    form = FeedbackForm(request.POST or None)
    sent = False
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        services.submit_feedback(text=cd["text"], topic=cd["topic"], sender_kind=cd["sender_kind"], unit=cd["district"],
                                 name=cd["name"], contact=cd["contact"])
        sent = True
        form = FeedbackForm()
    return render(request, "reports/feedback_public.html", {"form": form, "sent": sent})


@role_required(FEEDBACK_ANSWERERS)
def feedback_list(request):
    qs = scope(Feedback.objects.all(), request.user).select_related("agency", "unit")
    status = request.GET.get("tinh_trang")
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "reports/feedback_list.html", {"page": page, "statuses": Feedback.Status.choices, "status": status})


@role_required(FEEDBACK_ANSWERERS)
def feedback_detail(request, pk):
    fb = scoped_object(request, Feedback, pk=pk)
    can_assign = request.user.has_role(FEEDBACK_TRIAGE) and request.user.role != "leadership" or request.user.sees_everything
    error = None
    if request.method == "POST":
        agency = None
        if can_assign and request.POST.get("agency"):
            agency = accounts_selectors.agency(request.POST["agency"])
        try:
            services.triage_feedback(fb, by=request.user, agency=agency, answer=request.POST.get("answer"),
                                     close=bool(request.POST.get("close")) and can_assign,
                                     expected_version=int(request.POST.get("version", fb.version)))
            messages.success(request, _("Đã cập nhật."))
            return redirect("reports:feedback_list")
        except EditConflict:
            error = _("Phản ánh vừa được người khác cập nhật; hãy xem lại.")
            fb.refresh_from_db()
    return render(request, "reports/feedback_detail.html", {
        "fb": fb, "agencies": accounts_selectors.agencies() if can_assign else [], "can_assign": can_assign, "error": error,
    })
