"""Feedback from citizens and businesses (seed 004, item 4): public form, triage, agency answers."""
from django.urls import reverse

from accounts.models import Agency
from reports.models import Feedback


def test_anyone_can_send_feedback_without_signing_in_and_sees_nothing_personal(client, kontum):
    url = reverse("reports:feedback_public")
    assert client.get(url).status_code == 200
    r = client.post(url, {"sender_kind": "business", "topic": "business", "text": "Đề nghị hướng dẫn test nhanh cho công nhân",
                          "name": "Công ty ABC", "contact": "0905123456"})
    assert r.status_code == 200 and "Cảm ơn" in r.content.decode()
    assert "0905123456" not in r.content.decode()
    fb = Feedback.objects.get()
    assert (fb.status, fb.contact) == (Feedback.Status.NEW, "0905123456")


def test_the_office_triages_to_an_agency_which_answers(client, personas, client_for):
    fb = Feedback.objects.create(text="Chợ đêm không đeo khẩu trang", topic="measures")
    education = personas["agency"].agency
    other = Agency.objects.create(name="Sở Công Thương (thử)", kind="department")
    officer = client_for(personas["agency"])
    assert officer.get(reverse("reports:feedback_detail", args=[fb.pk])).status_code == 404  # not yet assigned to them
    office = client_for(personas["health_dept"])
    assert "Chợ đêm" in office.get(reverse("reports:feedback_list")).content.decode()
    office.post(reverse("reports:feedback_detail", args=[fb.pk]), {"agency": education.pk, "answer": "", "version": fb.version})
    fb.refresh_from_db()
    assert (fb.agency, fb.status) == (education, Feedback.Status.ASSIGNED)
    officer.post(reverse("reports:feedback_detail", args=[fb.pk]), {"answer": "Đã nhắc nhở ban quản lý chợ", "agency": other.pk, "version": fb.version})
    fb.refresh_from_db()
    assert (fb.status, fb.answer, fb.agency) == (Feedback.Status.ANSWERED, "Đã nhắc nhở ban quản lý chợ", education)  # officers cannot reassign
    assert client_for(personas["commune_a"]).get(reverse("reports:feedback_list")).status_code == 403
