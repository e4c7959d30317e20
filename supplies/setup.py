"""Setting up supplies in an installation: the standard catalogue and one store per facility, idempotent.

`phongdich supplies_setup [--catalogue] [--stores]` runs it; the demo builds on it. A store is created for the
province's CDC (the provincial warehouse, on the province unit), every district health centre (regional store,
supplied by the warehouse), every commune health station, centralised treatment facility and vaccination site (each
supplied by its district's centre, else the warehouse). Care-team bags (mobile-team stores) are created on request
from the store page's data or the shell: most installations count a team's stock in its station's store.
"""
from django.db import transaction

ITEMS = [
    # code, name, strength, category, unit, pack, medicine_item, test_kind, product code, tracks expiry
    ("goi-thuoc-a", "Gói thuốc A (hạ sốt, vitamin)", "", "medicine", "gói", 1, "package_a", "", "", True),
    ("goi-thuoc-b", "Gói thuốc B (kháng viêm, chống đông)", "", "medicine", "gói", 1, "package_b", "", "", True),
    ("goi-thuoc-c", "Gói thuốc C (kháng virus)", "", "medicine", "gói", 1, "package_c", "", "", True),
    ("molnupiravir-200", "Molnupiravir", "200 mg", "medicine", "liệu trình", 40, "molnupiravir", "", "", True),
    ("paracetamol-500", "Paracetamol", "500 mg", "medicine", "viên", 100, "paracetamol", "", "", True),
    ("test-nhanh-khang-nguyen", "Test nhanh kháng nguyên SARS-CoV-2", "", "test_kit", "test", 25, "", "rapid_antigen", "", True),
    ("sinh-pham-rt-pcr", "Sinh phẩm RT-PCR SARS-CoV-2", "", "test_kit", "phản ứng", 96, "", "rt_pcr", "", True),
    ("vx-comirnaty", "Vắc xin Comirnaty (Pfizer)", "", "vaccine", "liều", 6, "", "", "comirnaty", True),
    ("vx-astrazeneca", "Vắc xin AstraZeneca", "", "vaccine", "liều", 10, "", "", "astrazeneca", True),
    ("vx-vero-cell", "Vắc xin Vero Cell (Sinopharm)", "", "vaccine", "liều", 1, "", "", "sinopharm", True),
    ("binh-oxy-40l", "Bình oxy 40 lít", "", "oxygen", "bình", 1, "", "", "", False),
    ("may-tao-oxy", "Máy tạo oxy 5 lít/phút", "", "oxygen", "máy", 1, "", "", "", False),
    ("bo-phong-ho", "Bộ trang phục phòng hộ cá nhân", "", "ppe", "bộ", 20, "", "", "", False),
    ("khau-trang-n95", "Khẩu trang N95", "", "ppe", "cái", 50, "", "", "", False),
]


@transaction.atomic
def create_catalogue() -> dict:
    """The standard items (those whose vaccine product is installed); existing codes are left as they are."""
    from diseases.models import Disease
    from vaccination.models import Product

    from .models import Item

    covid = Disease.objects.filter(code="covid19").first()
    products = {p.code: p for p in Product.objects.all()}
    items = {}
    for code, name, strength, cat, unit, pack, med, test, product, tracks in ITEMS:
        if product and product not in products:
            continue
        items[code] = Item.objects.get_or_create(code=code, defaults={
            "name": name, "strength": strength, "category": cat, "unit": unit, "pack_size": pack, "medicine_item": med,
            "test_kind": test, "vaccine_product": products.get(product), "disease": covid, "tracks_expiry": tracks})[0]
    return items


@transaction.atomic
def create_stores(province) -> dict:
    """A store per facility as described above; facilities that already have one keep it. Returns them by kind."""
    from facilities.models import Facility

    from .models import Store

    F = Facility.Kind
    out: dict[str, list] = {"provincial_warehouse": [], "regional_centre": [], "commune_station": [], "treatment_facility": [],
                            "vaccination_site": []}
    from geo.areas import under_q

    # A 2025 province also holds the facilities recorded on the pre-2025 units it took over (geo.areas).
    facilities = Facility.objects.filter(under_q(province, "unit"), is_active=True).select_related("unit").order_by("id")
    cdc = facilities.filter(kind=F.CDC).first()
    warehouse = Store.objects.filter(kind="provincial_warehouse", unit=province).first() or Store.objects.create(
        name=f"Kho vật tư CDC {province.name}", kind="provincial_warehouse", unit=province, facility=cdc)
    out["provincial_warehouse"].append(warehouse)
    regional = {}
    for f in facilities.filter(kind=F.DISTRICT_HEALTH_CENTRE):
        regional[f.unit_id] = _store(f, "regional_centre", warehouse)
        out["regional_centre"].append(regional[f.unit_id])
    kinds = {F.COMMUNE_HEALTH_STATION: "commune_station", F.CENTRALISED_FACILITY: "treatment_facility",
             F.VACCINATION_SITE: "vaccination_site"}
    for f in facilities.filter(kind__in=list(kinds)):
        out[kinds[f.kind]].append(_store(f, kinds[f.kind], regional.get(f.unit.parent_id, warehouse)))
    return out


def _store(facility, kind, parent):
    from .models import Store

    return Store.objects.filter(facility=facility).first() or Store.objects.create(
        name=f"Kho {facility.name}", kind=kind, unit=facility.unit, facility=facility, parent=parent)
