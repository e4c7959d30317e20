"""Register a directive by pasting it, confirm its tasks, follow them to completion; officers see only their own."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Agency
from directives import services
from directives.models import Assignment, Directive, Occurrence, Reminder, Task
from directives.rules import scorecard

from .conftest import seed_text

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def confirm_as_proposed(directive, by):
    tasks = [{**t, "deadline": dt.date.fromisoformat(t["deadline"]) if t["deadline"] else None} for t in directive.parsed["tasks"]]
    return services.confirm_directive(directive, by=by, tasks=tasks)


@pytest.fixture
def seed002(personas):
    d = services.register_directive(by=personas["health_dept"], text=seed_text("002"))
    return confirm_as_proposed(d, personas["health_dept"])


def test_it_keeps_the_original_text_and_proposes_before_assigning(personas):
    d = services.register_directive(by=personas["health_dept"], text=seed_text("002"))
    assert d.status == Directive.Status.DRAFT and d.text == seed_text("002")
    assert d.kind == "thông báo kết luận" and d.signer == "Nguyễn Đình Cầu"
    assert Task.objects.count() == 0
    assert len(d.parsed["tasks"]) == 20


def test_it_creates_one_assignment_per_agency_and_the_missing_agencies(seed002, kontum):
    handbook = Task.objects.get(directive=seed002, ref="4.2")
    assert handbook.deadline == dt.date(2022, 2, 15)
    agencies = {a.agency.name: a.role for a in handbook.assignments.select_related("agency")}
    assert agencies["Sở Y tế"] == Assignment.Role.LEAD
    assert agencies["Ủy ban nhân dân Huyện Đắk Glei"] == Assignment.Role.COORDINATING
    assert len(agencies) == 11
    district_pc = Agency.objects.get(name="Ủy ban nhân dân Huyện Đắk Glei")
    assert district_pc.unit.name == "Huyện Đắk Glei" and district_pc.kind == "peoples_committee"
    assert Agency.objects.filter(name="Đoàn thanh niên cấp huyện, xã").exists()  # offered as new, created on confirmation


def test_it_finds_directives_without_diacritics(seed002, personas, client_for):
    c = client_for(personas["leader"])
    page = c.get(reverse("directives:list"), {"q": "ket luan chu tich hoi nghi"}).content.decode()
    assert reverse("directives:detail", args=[seed002.pk]) in page and "Kết luận của Chủ tịch" in page
    assert "Chưa có văn bản" in c.get(reverse("directives:list"), {"q": "bluezone"}).content.decode()


def test_agency_officers_see_only_their_agencys_tasks(seed002, personas, client_for):
    officer = personas["agency"]  # Sở Giáo dục và Đào tạo
    page = client_for(officer).get(reverse("directives:tasks")).content.decode()
    assert "Sở Giáo dục và Đào tạo" in page and "Sở Y tế</td>" not in page
    other = Assignment.objects.filter(agency__name="Sở Y tế").first()
    assert client_for(officer).get(reverse("directives:assignment", args=[other.pk])).status_code == 404
    mine = Assignment.objects.filter(agency=officer.agency).first()
    assert client_for(officer).get(reverse("directives:assignment", args=[mine.pk])).status_code == 200
    assert client_for(officer).get(reverse("directives:scorecard")).status_code == 403
    assert client_for(personas["commune_a"]).get(reverse("directives:tasks")).status_code == 403


def test_it_records_progress_only_from_the_assigned_agency(seed002, personas):
    mine = Assignment.objects.filter(agency=personas["agency"].agency, task__ref="10.1").get()
    services.record_progress(mine, by=personas["agency"], text="Đã chỉ đạo 100% trường học", figures={"Trường": "312"}, progress=60)
    mine.refresh_from_db()
    assert (mine.status, mine.progress) == (Assignment.Status.IN_PROGRESS, 60)
    services.record_progress(mine, by=personas["agency"], text="Hoàn thành", done=True)
    mine.refresh_from_db()
    assert mine.status == Assignment.Status.DONE and mine.completed_on is not None
    other = Assignment.objects.filter(agency__name="Sở Y tế").first()
    from core.errors import Invalid

    with pytest.raises(Invalid):
        services.record_progress(other, by=personas["agency"], text="không phải việc của tôi")


def test_it_lists_due_soon_and_overdue_tasks_and_reminds(seed002, personas, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    health = Agency.objects.get(name="Sở Y tế")
    personas["health_dept"].agency = health
    personas["health_dept"].email = "syt@example.org"
    personas["health_dept"].save()
    n = services.send_reminders(today=dt.date(2022, 2, 13))
    assert n > 0
    soon = Reminder.objects.filter(kind=Reminder.Kind.DUE_SOON, assignment__agency=health).get()
    assert "15/02/2022" in soon.message
    services.send_reminders(today=dt.date(2022, 2, 16))
    assert Reminder.objects.filter(kind=Reminder.Kind.OVERDUE, assignment__agency=health).exists()
    assert mail.outbox and mail.outbox[0].to == ["syt@example.org"]


def test_recurring_reports_create_daily_occurrences_and_show_late_and_missing(personas, kontum):
    d = services.register_directive(by=personas["health_dept"], text=seed_text("001"))
    confirm_as_proposed(d, personas["health_dept"])
    a = Assignment.objects.get(task__recurrence__isnull=False)
    assert a.agency.name == "Sở Thông tin và Truyền thông"
    days = [dt.date(2020, 8, 10), dt.date(2020, 8, 11), dt.date(2020, 8, 12)]
    for day in days:
        services.create_occurrences(day)
        services.create_occurrences(day)  # idempotent
    assert Occurrence.objects.filter(assignment=a, day__in=days).count() == 3
    officer = personas["agency"]
    officer.agency = a.agency
    officer.save()
    services.record_progress(a, by=officer, text="Báo cáo ngày 10", now=dt.datetime(2020, 8, 10, 13, 30, tzinfo=TZ))
    services.record_progress(a, by=officer, text="Báo cáo ngày 11", now=dt.datetime(2020, 8, 11, 15, 0, tzinfo=TZ))
    now = dt.datetime(2020, 8, 12, 18, 0, tzinfo=TZ)
    Occurrence.objects.exclude(day__in=days).delete()  # confirming also created today's
    states = {o.day: o.state(now) for o in Occurrence.objects.filter(assignment=a)}
    assert states == {days[0]: "on_time", days[1]: "late", days[2]: "missing"}
    row = next(r for r in scorecard(Assignment.objects.all(), Occurrence.objects.all(), today=days[2], now=now) if r["agency"] == a.agency.name)
    assert (row["reports_on_time"], row["reports_late"], row["reports_missing"]) == (1, 1, 1)
    assert row["on_time_rate"] is not None


def test_the_recurring_report_grid_shows_on_time_late_and_missing_days(personas, kontum, client_for):
    d = services.register_directive(by=personas["health_dept"], text=seed_text("001"))
    confirm_as_proposed(d, personas["health_dept"])
    a = Assignment.objects.get(task__recurrence__isnull=False)
    from django.utils import timezone

    today = timezone.localdate()
    for i, reported in ((3, -60), (2, 90), (1, None)):
        day = today - dt.timedelta(days=i)
        services.create_occurrences(day)
        if reported is not None:
            occ = Occurrence.objects.get(assignment=a, day=day)
            occ.reported_at = occ.due_at + dt.timedelta(minutes=reported)
            occ.save()
    page = client_for(personas["leader"]).get(reverse("directives:occurrences")).content.decode()
    assert "Sở Thông tin và Truyền thông" in page
    assert 'title="Đúng hạn">✓' in page and 'title="Muộn">!' in page and 'title="Không báo cáo">✗' in page
    officer = personas["agency"]  # Sở Giáo dục và Đào tạo: not theirs
    assert "Sở Thông tin và Truyền thông" not in client_for(officer).get(reverse("directives:occurrences")).content.decode()


def test_the_paste_review_confirm_flow_works_in_the_browserless_client(personas, client_for, kontum):
    c = client_for(personas["health_dept"])
    r = c.post(reverse("directives:new"), {"text": seed_text("004")})
    d = Directive.objects.get()
    assert r.status_code == 302 and r.url == reverse("directives:review", args=[d.pk])
    page = c.get(r.url).content.decode()
    assert "08/01/2022" in page and "Sở Y tế" in page
    rows = d.parsed["tasks"]
    data = {"task_count": len(rows), "version": d.version}
    for i, t in enumerate(rows):
        data.update({f"t{i}-keep": "1", f"t{i}-ref": t["ref"], f"t{i}-text": t["text"], f"t{i}-assignees": "\n".join(t["assignees"]),
                     f"t{i}-deadline": dt.date.fromisoformat(t["deadline"]).strftime("%d/%m/%Y") if t["deadline"] else "",
                     f"t{i}-recurrence": ""})
    data["t0-keep"] = ""  # the user drops the first item
    n = len(rows)  # and adds one the parser did not see, in the empty row
    data.update({"task_count": n + 1, f"t{n}-keep": "1", f"t{n}-ref": "5", f"t{n}-text": "Báo cáo kết quả tiêm chủng",
                 f"t{n}-assignees": "Sở Y tế\nTrung tâm Kiểm soát bệnh tật tỉnh", f"t{n}-deadline": "20/01/2022", f"t{n}-recurrence": ""})
    r = c.post(reverse("directives:review", args=[d.pk]), data)
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == Directive.Status.CONFIRMED
    assert list(d.tasks.values_list("ref", flat=True))[:2] == ["2.1", "2.2"]
    assert d.tasks.get(ref="3.5").deadline == dt.date(2022, 1, 8)
    added = d.tasks.get(ref="5")
    assert added.deadline == dt.date(2022, 1, 20)
    assert set(added.assignments.values_list("agency__name", flat=True)) == {"Sở Y tế", "Trung tâm Kiểm soát bệnh tật tỉnh"}
    # leadership reads but cannot register
    assert client_for(personas["leader"]).get(reverse("directives:new")).status_code == 403


def test_it_explains_an_upload_it_cannot_open(personas, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = client_for(personas["health_dept"])
    r = c.post(reverse("directives:new"), {"text": "", "file": SimpleUploadedFile("cv.pdf", b"%PDF-broken")})
    assert r.status_code == 200 and "Không mở được tệp cv.pdf" in r.content.decode()
    assert Directive.objects.count() == 0


def test_it_reads_docx_and_pdf_uploads(kontum):
    import io

    import docx
    from reportlab.pdfgen import canvas

    document = docx.Document()
    for line in seed_text("003").splitlines():
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    text = services.read_upload("cv.docx", buf.getvalue())
    assert "Lê Ngọc Tuấn" in text
    assert services.parse_text(text)["tasks"][2]["assignees"][0] == "Sở Lao động - Thương binh và Xã hội"

    pdf = io.BytesIO()
    c = canvas.Canvas(pdf)
    c.drawString(72, 800, "1. So Y te bao cao truoc ngay 08/01/2022.")
    c.save()
    assert "08/01/2022" in services.read_upload("cv.pdf", pdf.getvalue())


def test_the_task_pages_read_in_english(seed002, personas, client_for):
    c = client_for(personas["leader"])
    c.post("/i18n/setlang/", {"language": "en", "next": "/directives/nhiem-vu/"})
    page = c.get(reverse("directives:tasks")).content.decode()
    assert '<html lang="en">' in page and "Assigned tasks" in page and "Overdue" in page
    assert "15/02/2022" in page  # dates stay dd/mm/yyyy
    assert "Task scorecard" in c.get(reverse("directives:scorecard")).content.decode()
