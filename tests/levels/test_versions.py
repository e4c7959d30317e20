"""Criteria versions are data: effective dates, overlap refused, province adaptations, editable by the Department of Health."""
import datetime as dt

import pytest

from core.errors import Invalid
from levels import services
from levels.models import CriteriaVersion
from levels.rules import version_in_force


def test_it_refuses_a_national_version_that_overlaps_another(personas):
    base = CriteriaVersion.objects.get(code="218-qd-byt")
    with pytest.raises(Invalid) as exc:
        services.create_version(by=personas["health_dept"], code="x", name="X", source_document="X",
                                valid_from=dt.date(2022, 1, 20), valid_to=dt.date(2022, 2, 1), values=base.values)
    assert "trùng" in exc.value.vi and "overlap" in exc.value.en
    with pytest.raises(Invalid):
        services.set_version_dates(by=personas["health_dept"], version=CriteriaVersion.objects.get(code="4800-qd-byt"),
                                   valid_from=dt.date(2021, 10, 12), valid_to=dt.date(2022, 2, 1), expected_version=1)
    assert not CriteriaVersion.objects.filter(code="x").exists()


def test_it_records_a_province_adaptation_as_its_own_version(personas, kontum, commune_a):
    base = CriteriaVersion.objects.get(code="218-qd-byt")
    adapted = services.adapt_version(by=personas["health_dept"], base=base, province=kontum, valid_from=dt.date(2022, 2, 1),
                                     source_document="1234/QĐ-UBND Kon Tum", changes={"c2_full_min": 70})
    assert adapted.province == kontum and adapted.based_on == base
    assert adapted.values["c2_full_min"] == {"value": 70, "source": "1234/QĐ-UBND Kon Tum", "confirmed": True}
    assert base.values["c2_full_min"]["value"] == 75  # the MOH version is untouched
    assert version_in_force(dt.date(2022, 2, 10), commune_a) == adapted
    assert version_in_force(dt.date(2022, 2, 10)) == base  # other provinces keep the national version
    assert version_in_force(dt.date(2022, 1, 30), commune_a) == base  # before the adaptation took effect
    with pytest.raises(Invalid):  # two Kon Tum adaptations may not overlap either
        services.adapt_version(by=personas["health_dept"], base=base, province=kontum, valid_from=dt.date(2022, 3, 1),
                               source_document="again")


def test_it_lets_the_department_of_health_correct_an_unconfirmed_threshold(personas, client_for):
    v = CriteriaVersion.objects.get(code="4800-qd-byt")
    assert "c1_cases_band3_from" in v.unconfirmed_keys
    page = client_for(personas["health_dept"]).get(f"/levels/tieu-chi/{v.pk}/")
    assert page.status_code == 200 and "chưa xác nhận" in page.content.decode()
    r = client_for(personas["health_dept"]).post(f"/levels/tieu-chi/{v.pk}/", {
        "key": "c1_cases_band3_from", "value": "50", "source": "4800/QĐ-BYT bản gốc, mục 2", "confirmed": "on", "version": v.version})
    assert r.status_code == 302
    v.refresh_from_db()
    assert v.values["c1_cases_band3_from"] == {"value": 50, "source": "4800/QĐ-BYT bản gốc, mục 2", "confirmed": True}
    assert "c1_cases_band3_from" not in v.unconfirmed_keys
    from audit.models import AuditEvent

    assert AuditEvent.objects.filter(target_type="levels.criteriaversion", action="update").exists()


def test_it_refuses_threshold_edits_from_other_roles_and_stale_versions(personas, client_for):
    v = CriteriaVersion.objects.get(code="4800-qd-byt")
    data = {"key": "c1_cases_band3_from", "value": "40", "source": "x", "version": v.version}
    assert client_for(personas["commune_a"]).post(f"/levels/tieu-chi/{v.pk}/", data).status_code == 403
    assert client_for(personas["leader"]).post(f"/levels/tieu-chi/{v.pk}/", data).status_code == 403
    stale = client_for(personas["health_dept"]).post(f"/levels/tieu-chi/{v.pk}/", {**data, "version": v.version + 5})
    assert stale.status_code == 400
    v.refresh_from_db()
    assert v.values["c1_cases_band3_from"]["value"] == 50


def test_it_lists_versions_with_their_dates_to_health_staff(personas, client_for):
    page = client_for(personas["commune_a"]).get("/levels/tieu-chi/").content.decode()
    assert "4800/QĐ-BYT" in page and "12/10/2021" in page and "27/01/2022" in page
