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
    page = client_for(personas["leader"]).get("/cases/giuong-benh/").content.decode()
    district = commune_a.parent
    assert f'data-district="{district.pk}" data-type="oxygen"><strong>9</strong> / 10' in page
    assert f'data-district="{district.pk}" data-type="ordinary"><strong>50</strong> / 50' in page
    assert "Khu điều trị tập trung Quang Trung" not in client_for(personas["commune_b"]).get("/cases/giuong-benh/").content.decode()
