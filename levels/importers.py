"""Import of criteria values per unit and week (CSV/XLSX). Layout documented in docs/levels.md.

Columns: Mã đơn vị (GSO code of the commune/district/province), Tuần (any day of the week, dd/mm/yyyy), then any of
the criteria columns (Vietnamese header or the English key, e.g. new_cases_per_100k_week). Empty cells are ignored.
"""
from core.errors import Invalid
from core.imports import Column, RowError, RowInvalid, TableImporter
from core.parsing import parse_date
from core.scoping import visible_units
from geo import areas

from . import rules, services

COLUMNS = [
    Column("unit_code", ("Mã đơn vị", "Mã xã", "unit_code", "unit code"), required=True),
    Column("week", ("Tuần", "Tuần từ ngày", "week", "week_start"), required=True),
    *[Column(key, (labels[0], key, labels[1])) for key, labels in rules.INPUTS.items()],
]


class CriteriaImporter(TableImporter):
    columns = COLUMNS
    audit_label = "levels.criteria_entries"

    def __init__(self, *, by, user=None, mode="all", progress=None):
        super().__init__(by=by, mode=mode, progress=progress)
        # A code names a unit of the structure in force that week (geo.areas): pre-2025 units until 30/06/2025.
        self.units = {s: {} for s in areas.STRUCTURES}
        for u in visible_units(user or by):
            self.units[u.structure][u.code] = u

    def clean_row(self, values, line):
        errors = []
        week = parse_date(values.get("week"))
        structure = areas.structure_on(week) if week else areas.PRE_2025
        code = str(values.get("unit_code") or "").strip()
        unit = self.units[structure].get(code)
        other = next((self.units[s][code] for s in areas.STRUCTURES if s != structure and code in self.units[s]), None)
        if unit is None and other is not None and week is not None:
            try:  # a unit of the other structure than the week's: say why (the same words as the form's)
                services.check_unit_of_week(other, services.week_start_of(week))
            except Invalid as exc:
                errors.append(("Mã đơn vị", exc.vi, exc.en))
        elif unit is None:
            errors.append(("Mã đơn vị", "Mã đơn vị không có hoặc ngoài địa bàn của bạn.", "Unknown unit code or outside your jurisdiction."))
        if week is None:
            errors.append(("Tuần", "Thiếu ngày của tuần.", "The week is missing."))
        criteria = {k: v for k, v in values.items() if k in rules.INPUTS and v not in (None, "")}
        try:
            criteria = services.clean_values(criteria)
        except Invalid as exc:
            errors.append((exc.field, exc.vi, exc.en))
        if errors:
            raise RowInvalid(errors)
        return {"unit": unit, "week": services.week_start_of(week), "values": criteria}

    def check_rows(self, rows):
        seen, out = {}, []
        for line, r in rows:
            key = (r["unit"].id, r["week"])
            if key in seen:
                out.append(RowError(line, None, f"Trùng đơn vị và tuần với dòng {seen[key]}.", f"Same unit and week as line {seen[key]}."))
            seen[key] = line
        return out

    def save_rows(self, rows, result):
        for _line, r in rows:
            services.enter_values(by=self.by, unit=r["unit"], week_start=r["week"], values=r["values"], origin="imported")
            result.imported += 1


def run_criteria_batch(batch, data: bytes, progress):
    """core.batches runner for kind "criteria": the units are those the uploader may enter values for."""
    return CriteriaImporter(by=batch.created_by, user=batch.created_by, progress=progress).run(data, batch.file_name)
