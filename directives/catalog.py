"""The province's agency list as the directive parser sees it.

The list lives in `accounts.Agency` (a data migration of this app adds the usual provincial departments,
boards, media and the Steering Committee's subcommittees, each with the other ways directives name it).
The districts' People's Committees are named after the districts of the installation's province
("Ủy ban nhân dân Huyện Đắk Glei"), whether or not an Agency row exists yet: confirming a directive
creates the missing ones.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

# Kinds whose agencies make up "các sở, ban, ngành, đơn vị thuộc tỉnh".
DEPARTMENT_KINDS = ("department", "health", "media")

# (name, short name, kind, aliases). Names follow the demo data (core/management/commands/demo.py).
STANDARD_AGENCIES: list[tuple[str, str, str, list[str]]] = [
    ("Sở Y tế", "SYT", "health", [
        "Ngành Y tế tỉnh", "Ngành Y tế",
        "Cơ quan Thường trực Ban Chỉ đạo phòng, chống dịch COVID-19 tỉnh",
        "Cơ quan thường trực Ban Chỉ đạo tỉnh",
    ]),
    ("Sở Giáo dục và Đào tạo", "SGDĐT", "department", ["Sở GD&ĐT", "Sở GDĐT", "Sở Giáo dục - Đào tạo"]),
    ("Sở Thông tin và Truyền thông", "STTTT", "department", ["Sở TT&TT", "Sở TTTT", "Sở Thông tin - Truyền thông"]),
    ("Sở Lao động - Thương binh và Xã hội", "SLĐTBXH", "department", [
        "Sở LĐ-TB&XH", "Sở LĐTBXH", "Sở Lao động, Thương binh và Xã hội", "Sở Lao động Thương binh và Xã hội",
    ]),
    ("Sở Công Thương", "SCT", "department", []),
    ("Sở Tài chính", "STC", "department", []),
    ("Sở Kế hoạch và Đầu tư", "SKHĐT", "department", ["Sở KH&ĐT"]),
    ("Sở Nội vụ", "SNV", "department", []),
    ("Sở Tư pháp", "STP", "department", []),
    ("Sở Giao thông vận tải", "SGTVT", "department", ["Sở Giao thông - Vận tải", "Sở GTVT"]),
    ("Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL", "department", ["Sở VH,TT&DL", "Sở VHTTDL"]),
    ("Sở Nông nghiệp và Phát triển nông thôn", "SNNPTNT", "department", ["Sở NN&PTNT"]),
    ("Sở Tài nguyên và Môi trường", "STNMT", "department", ["Sở TN&MT"]),
    ("Sở Xây dựng", "SXD", "department", []),
    ("Sở Khoa học và Công nghệ", "SKHCN", "department", ["Sở KH&CN"]),
    ("Sở Ngoại vụ", "SNgV", "department", []),
    ("Thanh tra tỉnh", "TTr", "department", []),
    ("Ban Dân tộc tỉnh", "BDT", "department", ["Ban Dân tộc"]),
    ("Công an tỉnh", "CAT", "department", ["Công an tỉnh Kon Tum"]),
    ("Bộ Chỉ huy Quân sự tỉnh", "BCHQS", "department", ["Bộ CHQS tỉnh"]),
    ("Bộ Chỉ huy Bộ đội Biên phòng tỉnh", "BĐBP", "department", ["Bộ đội Biên phòng tỉnh"]),
    ("Đài Phát thanh - Truyền hình tỉnh", "PTTH", "media", [
        "Đài Phát thanh và Truyền hình tỉnh", "Đài PT-TH tỉnh", "Đài PTTH tỉnh",
    ]),
    ("Báo Kon Tum", "BKT", "media", []),
    ("Cổng Thông tin điện tử tỉnh", "CTTĐT", "media", ["Cổng TTĐT tỉnh"]),
    ("Cục Quản lý thị trường Kon Tum", "QLTT", "department", ["Cục Quản lý thị trường tỉnh", "Cục Quản lý thị trường"]),
    ("Ban Quản lý Khu kinh tế tỉnh", "BQLKKT", "department", ["Ban Quản lý Khu kinh tế"]),
    ("Văn phòng Ủy ban nhân dân tỉnh", "VP UBND", "department", ["Văn phòng UBND tỉnh"]),
    ("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "MTTQ", "mass_organisation", [
        "Ủy ban MTTQ Việt Nam tỉnh", "Ủy ban Mặt trận TQVN tỉnh", "Ủy ban MTTQVN tỉnh", "UBMTTQ Việt Nam tỉnh",
        "Mặt trận Tổ quốc Việt Nam tỉnh",
    ]),
    ("Tỉnh đoàn", "TĐ", "mass_organisation", ["Tỉnh Đoàn thanh niên"]),
    ("Hội Liên hiệp Phụ nữ tỉnh", "HLHPN", "mass_organisation", []),
    ("Liên đoàn Lao động tỉnh", "LĐLĐ", "mass_organisation", []),
    ("Hội Nông dân tỉnh", "HND", "mass_organisation", []),
    ("Hội Cựu chiến binh tỉnh", "HCCB", "mass_organisation", []),
    ("Ban Chỉ đạo phòng, chống dịch COVID-19 tỉnh", "BCĐ", "steering_committee", ["Ban Chỉ đạo tỉnh"]),
    ("Tiểu ban Tuyên truyền", "TBTT", "steering_committee", [
        "Tiểu ban Tuyên truyền của Ban Chỉ đạo tỉnh", "Tiểu ban Truyền thông",
    ]),
    ("Tiểu ban Điều trị", "TBĐT", "steering_committee", ["Tiểu ban Điều trị của Ban Chỉ đạo tỉnh"]),
]


def district_committee_name(district_name: str) -> str:
    """The canonical name of a district's People's Committee, as the demo data names it."""
    return f"Ủy ban nhân dân {district_name}"


@dataclass
class AgencyEntry:
    name: str
    kind: str
    aliases: list[str] = field(default_factory=list)
    district: str | None = None  # for a district People's Committee: the district's name
    commune: str | None = None  # for a commune's People's Committee (two-level government, 2025): the commune's name


@dataclass
class Catalog:
    agencies: list[AgencyEntry]

    def group(self, key: str) -> list[str]:
        """Names of a collective addressee: "districts", "communes" (2025), "departments", "mass_organisations"."""
        if key == "districts":
            return [a.name for a in self.agencies if a.district]
        if key == "communes":
            return [a.name for a in self.agencies if a.commune]
        if key == "departments":
            return [a.name for a in self.agencies if a.kind in DEPARTMENT_KINDS and not a.district]
        if key == "mass_organisations":
            return [a.name for a in self.agencies if a.kind == "mass_organisation"]
        raise KeyError(key)


def commune_committee_name(commune_name: str) -> str:
    """The canonical name of a commune's (ward's, special zone's) People's Committee."""
    return f"Ủy ban nhân dân {commune_name}"


def standard_catalog(district_names: list[str] | None = None, commune_names: list[str] | None = None) -> Catalog:
    """The built-in list (no database): used by tests of the pure parser and as a fallback."""
    entries = [AgencyEntry(n, k, list(a)) for n, _s, k, a in STANDARD_AGENCIES]
    for d in district_names or []:
        entries.append(AgencyEntry(district_committee_name(d), "peoples_committee", [], district=d))
    for c in commune_names or []:
        entries.append(AgencyEntry(commune_committee_name(c), "peoples_committee", [], commune=c))
    return Catalog(entries)


def province_communes_2025():
    """The communes, wards and special zones of the 2025 province that took over the installation's province (the
    two-level government): the installation's province itself on a 2025 installation, else the 2025 province(s) its
    old communes became part of (geo.areas). Empty when the 2025 structure is not loaded."""
    from geo import areas
    from geo.models import AdministrativeUnit, Level

    prov = areas.installation_province()
    if prov is None:
        return []
    if prov.structure == areas.FROM_2025:
        provinces = [prov]
    else:
        provinces = list(AdministrativeUnit.objects.filter(
            structure=areas.FROM_2025, level=Level.PROVINCE,
            pk__in=AdministrativeUnit.objects.filter(predecessor_links__old_unit__path__startswith=prov.path)
            .values("parent_id")))
    communes = AdministrativeUnit.objects.none()
    for p in provinces:
        communes = communes | areas.units_under(p, Level.COMMUNE, structure=areas.FROM_2025)
    return list(communes.order_by("code"))


def province_communes_pre2025():
    """The installation's province's communes before 01/07/2025 (directives of 2020–2023 address their committees)."""
    from geo.areas import history_provinces
    from geo.models import AdministrativeUnit, Level

    q = Q()
    for path in history_provinces().values_list("path", flat=True):
        q |= Q(path__startswith=path)
    if not q:
        return []
    return list(AdministrativeUnit.objects.filter(q, level=Level.COMMUNE).order_by("code"))


def commune_committees_on(on):
    """{"Ủy ban nhân dân <commune>": commune} for the communes of the structure in force on `on` (pre-2025 before
    01/07/2025, else today's; without a date the 2025 ones). A name two communes share is left out: ambiguous."""
    from geo.areas import structure_on
    from geo.models import Structure

    old = on is not None and structure_on(on) == Structure.PRE_2025
    out: dict = {}
    for c in province_communes_pre2025() if old else province_communes_2025():
        name = commune_committee_name(c.name)
        out[name] = None if name in out else c
    return {n: c for n, c in out.items() if c is not None}


def province_districts():
    """The installation's province's districts (pre-2025 structure: directives of 2020–2023 address them)."""
    from geo.areas import history_provinces
    from geo.models import AdministrativeUnit, Level

    q = Q()
    for path in history_provinces().values_list("path", flat=True):
        q |= Q(path__startswith=path)
    if not q:
        return []
    return list(AdministrativeUnit.objects.filter(q, level=Level.DISTRICT).order_by("code"))


def catalog_from_db() -> Catalog:
    """The Agency table plus the People's Committees of the province's districts."""
    from accounts.models import Agency

    entries: list[AgencyEntry] = []
    by_name: dict[str, AgencyEntry] = {}
    districts = province_districts()
    district_by_unit = {d.pk: d.name for d in districts}
    for a in Agency.objects.all().order_by("name"):
        e = AgencyEntry(a.name, a.kind, list(a.aliases or []), district=district_by_unit.get(a.unit_id))
        entries.append(e)
        by_name[a.name] = e
    for d in districts:
        name = district_committee_name(d.name)
        if name in by_name:
            by_name[name].district = d.name
        else:
            entries.append(AgencyEntry(name, "peoples_committee", [], district=d.name))
    for c in province_communes_2025():
        name = commune_committee_name(c.name)
        if name in by_name:
            by_name[name].commune = c.name
        else:
            entries.append(AgencyEntry(name, "peoples_committee", [], commune=c.name))
    # Standard entries missing from the table (e.g. deleted): still recognised, created on confirmation.
    for n, _s, k, aliases in STANDARD_AGENCIES:
        if n not in by_name:
            entries.append(AgencyEntry(n, k, list(aliases)))
    return Catalog(entries)
