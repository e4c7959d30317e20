import pytest

from cases import services
from facilities.models import BedCapacity, Facility

pytestmark = pytest.mark.django_db


def test_it_shows_free_beds_by_type_per_facility_and_district(open_case, personas, client_for, commune_a):
    site = Facility.objects.create(name="Khu điều trị tập trung Quang Trung", kind="centralised_facility", unit=commune_a)
    BedCapacity.objects.create(facility=site, bed_type="ordinary", total=50)
    BedCapacity.objects.create(facility=site, bed_type="oxygen", total=10)
    a, b = open_case(), open_case(full_name="Trần Thị Bình")
    services.admit(by=personas["commune_a"], case=a, facility=site, bed_type="oxygen")
    adm = services.admit(by=personas["commune_a"], case=b, facility=site, bed_type="ordinary")
    services.discharge(by=personas["commune_a"], admission=adm)
    a.refresh_from_db()
    assert a.care_setting == "centralised" and a.facility == site
    page = client_for(personas["leader"]).get("/cases/giuong-benh/?structure=pre2025").content.decode()
    district = commune_a.parent
    assert f'data-district="{district.pk}" data-type="oxygen"><strong>9</strong> / 10' in page
    assert f'data-district="{district.pk}" data-type="ordinary"><strong>50</strong> / 50' in page
    assert "Khu điều trị tập trung Quang Trung" not in client_for(personas["commune_b"]).get("/cases/giuong-benh/").content.decode()


def test_it_lets_health_staff_declare_beds_of_their_area_only(personas, client_for, commune_a, commune_b):
    mine = Facility.objects.create(name="Khu tập trung A", kind="centralised_facility", unit=commune_a)
    other = Facility.objects.create(name="Khu tập trung B", kind="centralised_facility", unit=commune_b)
    c = client_for(personas["district_a"])
    page = c.get("/facilities/giuong/").content.decode()
    assert "Khu tập trung A" in page and "Khu tập trung B" not in page
    c.post("/facilities/giuong/", {f"beds-{mine.pk}-oxygen": "12", f"beds-{other.pk}-oxygen": "99"})
    assert BedCapacity.objects.get(facility=mine, bed_type="oxygen").total == 12
    assert not BedCapacity.objects.filter(facility=other).exists()
    c.post("/facilities/giuong/", {f"beds-{mine.pk}-oxygen": "-3"})
    assert BedCapacity.objects.get(facility=mine, bed_type="oxygen").total == 12
    assert client_for(personas["leader"]).get("/facilities/giuong/").status_code == 403


def test_bed_counts_are_saved_by_the_service_all_or_nothing_each_with_its_audit_row(personas, commune_a):
    from audit.models import AuditEvent
    from facilities import services as facility_services

    site = Facility.objects.create(name="Khu tập trung A", kind="centralised_facility", unit=commune_a)
    by = personas["district_a"]
    entered = {(site.pk, "ordinary"): "40", (site.pk, "oxygen"): "x"}
    with pytest.raises(facility_services.InvalidBedCounts) as refused:
        facility_services.set_bed_capacities(by=by, facilities=[site], entered=entered)
    assert refused.value.values == "Khu tập trung A: x" and not BedCapacity.objects.filter(facility=site).exists()
    entered[(site.pk, "oxygen")] = "8"
    assert facility_services.set_bed_capacities(by=by, facilities=[site], entered=entered) == 2
    assert facility_services.set_bed_capacities(by=by, facilities=[site], entered=entered) == 0  # unchanged: no row
    rows = AuditEvent.objects.filter(target_type="facilities.bedcapacity", actor=by)
    assert rows.count() == 2 and set(rows.values_list("action", flat=True)) == {"create"}


def test_it_records_admission_and_discharge_from_the_case_page(open_case, personas, client_for, commune_a):
    site = Facility.objects.create(name="Khu tập trung A", kind="centralised_facility", unit=commune_a)
    case = open_case()
    c = client_for(personas["commune_a"])
    c.post(f"/cases/{case.pk}/nhap-co-so/", {"facility": site.pk, "bed_type": "ordinary"})
    adm = case.admissions.get()
    assert adm.discharged_at is None and "Ra khỏi cơ sở" in c.get(f"/cases/{case.pk}/").content.decode()
    assert client_for(personas["commune_b"]).post(f"/cases/{case.pk}/ra-co-so/{adm.pk}/").status_code == 404
    c.post(f"/cases/{case.pk}/ra-co-so/{adm.pk}/")
    adm.refresh_from_db()
    assert adm.discharged_at is not None
