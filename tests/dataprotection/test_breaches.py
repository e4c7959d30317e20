"""The breach register: the 72-hour notification to A05 is tracked, overdue and late notifications are flagged."""
import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from dataprotection.models import Breach

pytestmark = pytest.mark.django_db
TZ = timezone.get_default_timezone()


def test_it_records_a_breach_and_its_72_hour_deadline(client_for, personas):
    with time_machine.travel(dt.datetime(2026, 2, 10, 9, 0, tzinfo=TZ), tick=False):
        c = client_for(personas["health_dept"])
        response = c.post(reverse("dataprotection:breach_new"), {
            "title": "Lộ danh sách F0 qua nhóm Zalo", "detected_at": "10/02/2026 08:30",
            "categories": "Họ tên, điện thoại, kết quả xét nghiệm", "affected_people": "120", "affected_records": "120"})
        breach = Breach.objects.get()
        assert response.status_code == 302
        assert timezone.localtime(breach.notify_by) == dt.datetime(2026, 2, 13, 8, 30, tzinfo=TZ)
        assert not breach.overdue
        assert AuditEvent.objects.filter(action="create", target_type="dataprotection.breach").exists()

    with time_machine.travel(dt.datetime(2026, 2, 13, 9, 0, tzinfo=TZ), tick=False):
        page = client_for(personas["health_dept"]).get(reverse("dataprotection:index")).content.decode()
        assert "Quá 72 giờ chưa thông báo" in page and "13/02/2026 08:30" in page
        response = client_for(personas["health_dept"]).post(
            reverse("dataprotection:breach", args=[breach.pk]),
            {"notified_at": "13/02/2026 08:50", "reference": "123/SYT-VP"})
        assert response.status_code == 302
        breach.refresh_from_db()
        assert breach.overdue and breach.notification_ref == "123/SYT-VP"  # late: stays flagged
        assert "Thông báo trễ" in client_for(personas["health_dept"]).get(
            reverse("dataprotection:breach", args=[breach.pk])).content.decode()


def test_notification_in_time_is_not_flagged_and_cannot_predate_detection(client_for, personas):
    with time_machine.travel(dt.datetime(2026, 2, 10, 9, 0, tzinfo=TZ), tick=False):
        c = client_for(personas["admin"])
        c.post(reverse("dataprotection:breach_new"), {
            "title": "Máy tính xách tay bị mất", "detected_at": "10/02/2026 08:30", "categories": "Họ tên",
            "affected_people": "3", "affected_records": "3"})
        breach = Breach.objects.get()
        url = reverse("dataprotection:breach", args=[breach.pk])
        response = c.post(url, {"notified_at": "09/02/2026 08:00", "reference": ""})
        assert "trước khi phát hiện" in response.content.decode()
        response = c.post(url, {"notified_at": "10/02/2026 08:55", "reference": ""})
        breach.refresh_from_db()
        assert response.status_code == 302 and not breach.overdue


def test_a_bad_date_is_a_clear_form_error(client_for, personas):
    response = client_for(personas["health_dept"]).post(reverse("dataprotection:breach_new"), {
        "title": "x", "detected_at": "31/02/2026", "categories": "x", "affected_people": "1", "affected_records": "1"})
    assert response.status_code == 200 and "dd/mm/yyyy hh:mm" in response.content.decode()
    assert not Breach.objects.exists()


def test_only_officers_see_the_breach_register(client_for, personas):
    breach = Breach.objects.create(title="Sự cố", detected_at=timezone.now(), categories="x",
                                   reported_by=personas["admin"])
    assert client_for(personas["commune_a"]).get(reverse("dataprotection:breach", args=[breach.pk])).status_code == 403
    assert client_for(personas["health_dept"]).get(reverse("dataprotection:breach", args=[breach.pk])).status_code == 200


def test_the_registers_read_in_english_too(client_for, personas):
    Breach.objects.create(title="Sự cố", detected_at=timezone.now() - dt.timedelta(days=4), categories="x",
                          reported_by=personas["admin"])
    client = client_for(personas["health_dept"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(reverse("dataprotection:index")).content.decode()
    assert "Breach register" in page and "Not notified within 72 hours" in page and "Open requests" in page
