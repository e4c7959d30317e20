"""Uploaded and generated files are served only through views that check sign-in, role and jurisdiction: there is no
/media/ route (not even with DEBUG, where it used to hand restricted situation reports to anyone), the directive's
original file and a progress report's attachment have their own scoped, audited views, and nginx may send the bytes
(X-Accel-Redirect) only after the view has decided."""
import datetime as dt
import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_there_is_no_media_route_even_with_debug(settings):
    import phongdich.urls

    settings.DEBUG = True
    try:
        importlib.reload(phongdich.urls)
        with pytest.raises(Resolver404):
            resolve("/media/reports/2022/02/bao-cao.pdf")
    finally:
        settings.DEBUG = False
        importlib.reload(phongdich.urls)


@pytest.fixture
def directive(personas):
    from directives import services

    upload = SimpleUploadedFile("cong-van-123.txt", "Công văn số 123/UBND-KGVX về phòng, chống dịch".encode(), "text/plain")
    return services.register_directive(by=personas["health_dept"], text="Công văn số 123/UBND-KGVX\nVề phòng, chống dịch",
                                       source_file=upload)


def test_the_directives_file_goes_only_to_those_who_may_read_the_directive(directive, personas, client, client_for):
    url = f"/directives/{directive.pk}/tep-goc/"
    page = client_for(personas["health_dept"]).get(f"/directives/{directive.pk}/").content.decode()
    assert f'href="{url}"' in page and "/media/" not in page
    r = client.get(url)
    assert r.status_code == 302 and "/accounts/dang-nhap/" in r["Location"]  # anonymous: sign in first
    assert client_for(personas["commune_a"]).get(url).status_code == 403  # no role for directives
    assert client_for(personas["agency"]).get(url).status_code == 404  # not his agency's directive
    r = client_for(personas["health_dept"]).get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content).decode().startswith("Công văn số 123")
    assert AuditEvent.objects.filter(action="export", target_type="directives.directive", target_id=str(directive.pk),
                                     actor=personas["health_dept"]).exists()


def test_behind_nginx_the_view_hands_the_file_over_with_x_accel_redirect(directive, personas, client, client_for, settings):
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    r = client_for(personas["health_dept"]).get(f"/directives/{directive.pk}/tep-goc/")
    assert r.status_code == 200 and r["X-Accel-Redirect"] == "/protected-media/" + directive.source_file.name
    assert r.content == b""
    assert "X-Accel-Redirect" not in client_for(personas["agency"]).get(f"/directives/{directive.pk}/tep-goc/")


def test_situation_reports_are_refused_to_anonymous_and_unauthorised_users(personas, kontum, client, client_for):
    from reports import services

    report = services.generate_report(dt.date(2022, 2, 15), by=personas["health_dept"])
    url = f"/reports/{report.pk}/tai/pdf/"
    assert client.get(url).status_code == 302
    assert client_for(personas["care_a"]).get(url).status_code == 403
    r = client_for(personas["leader"]).get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")


def test_a_progress_attachment_goes_only_to_those_who_see_the_assignment(personas, client, client_for):
    from accounts.models import Agency
    from directives import services
    from directives.models import Assignment
    from tests.conftest import make_user
    from tests.directives.conftest import seed_text

    d = services.register_directive(by=personas["health_dept"], text=seed_text("002"))
    tasks = [{**t, "deadline": dt.date.fromisoformat(t["deadline"]) if t["deadline"] else None} for t in d.parsed["tasks"]]
    services.confirm_directive(d, by=personas["health_dept"], tasks=tasks)
    mine = Assignment.objects.filter(agency=personas["agency"].agency).first()
    upload = SimpleUploadedFile("danh-sach-truong.csv", "Trường,Số học sinh F0\nTHCS Quang Trung,3\n".encode(), "text/csv")
    report = services.record_progress(mine, by=personas["agency"], text="Đã rà soát", attachment=upload)
    url = f"/directives/bao-cao-tien-do/{report.pk}/tep-dinh-kem/"
    page = client_for(personas["agency"]).get(f"/directives/nhiem-vu/{mine.pk}/").content.decode()
    assert f'href="{url}"' in page and "/media/" not in page
    assert client.get(url).status_code == 302
    outsider = make_user("cong_an", "agency_officer", None, agency=Agency.objects.create(name="Cơ quan không được giao", kind="department"))
    assert client_for(outsider).get(url).status_code == 404
    r = client_for(personas["agency"]).get(url)
    assert r.status_code == 200 and "THCS Quang Trung" in b"".join(r.streaming_content).decode()
    assert client_for(personas["leader"]).get(url).status_code == 200
