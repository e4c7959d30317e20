"""Epidemic levels on either structure ("Theo địa giới: hiện hành / trước 01/07/2025").

A level is decided per commune of its week's structure (pre-2025 communes until 30/06/2025, 2025 communes from
01/07/2025) and cannot be summed. Shown on the other structure it is derived, and says so:

* a pre-2025 week on today's map: each 2025 commune shows the **highest** level among the former communes it took
  over — a divided commune it took a part of counts too — "cao nhất trong N xã cũ";
* a 2025 week on the pre-2025 map: each former commune shows the level of the 2025 commune it became part of (a
  divided commune: the highest of its successors).

A derived level is never decided on: proposals and decisions are made on the units of their week
(`levels.services.propose` refuses the others). The levels are not personal data: the former communes or successors
of a commune the user may see are read with it, whoever governs them today.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from core.scoping import visible_units
from geo import areas
from geo.models import AdministrativeUnit, Level

from .models import Assessment


@dataclass
class Cell:
    """The level one commune shows for a week on its structure's map."""

    unit: object
    level: int | None = None
    assessment: Assessment | None = None  # the commune's own assessment (a commune of the week's structure)
    derived: bool = False
    sources: list = field(default_factory=list)  # derived: [(commune of the week's structure, its level or None)]

    @property
    def n(self) -> int:
        return len(self.sources)

    def note(self, lang: str = "vi") -> str:
        """What a derived level is ("cao nhất trong 3 xã cũ"); "" for a commune's own level."""
        if not self.derived:
            return ""
        if self.unit.structure == areas.FROM_2025:  # from the former communes
            return f"cao nhất trong {self.n} xã cũ" if lang == "vi" else f"highest of {self.n} former communes"
        if self.n == 1:
            return "theo xã hiện hành" if lang == "vi" else "from today's commune"
        return f"cao nhất trong {self.n} xã hiện hành" if lang == "vi" else f"highest of {self.n} of today's communes"

    def detail(self, lang: str = "vi") -> str:
        """The note with each source and its level, for a tooltip: "cao nhất trong 2 xã cũ: A (cấp 2), B (—)"."""
        if not self.derived:
            return ""
        word = "cấp" if lang == "vi" else "level"
        parts = [f"{u.name} ({word} {lvl})" if lvl else f"{u.name} (—)" for u, lvl in self.sources]
        return f"{self.note(lang)}: {', '.join(parts)}" if parts else self.note(lang)


def cells(communes, week: dt.date) -> dict[int, Cell]:
    """{commune id: Cell} for communes of either structure for the week starting `week`: their own assessment on the
    week's structure, a derived level on the other (see the module). Three queries whatever the number of communes."""
    communes = list(communes)
    week_structure = areas.structure_on(week)
    out: dict[int, Cell] = {}
    own = [c.pk for c in communes if c.structure == week_structure]
    other = [c for c in communes if c.structure != week_structure]
    links = areas.correspondents_of(other) if other else {}
    wanted = set(own) | {u.pk for units in links.values() for u in units}
    assessments = {a.unit_id: a for a in Assessment.objects.filter(week_start=week, unit_id__in=wanted)} if wanted else {}
    for c in communes:
        if c.structure == week_structure:
            a = assessments.get(c.pk)
            out[c.pk] = Cell(c, a.level if a else None, a)
            continue
        sources = [(u, getattr(assessments.get(u.pk), "level", None)) for u in links.get(c.pk, [])]
        levels = [lvl for _u, lvl in sources if lvl]
        out[c.pk] = Cell(c, max(levels) if levels else None, None, True, sources)
    return out


def counts(cells_: dict[int, Cell]) -> list[tuple]:
    """[(level or None, number of communes)] of the cells, levels 1–4 then "not determined"."""
    out = {1: 0, 2: 0, 3: 0, 4: 0, None: 0}
    for c in cells_.values():
        out[c.level] += 1
    return list(out.items())


def shown_units(user, structure: str) -> list:
    """The communes (and, on the pre-2025 map, their districts) a user's levels map shows on `structure`: the units
    of his jurisdiction on that structure; for a user placed on a unit of the other structure only, the communes his
    places became or came from (geo.areas.correspondents_of). Three queries at most."""
    units = list(visible_units(user).filter(structure=structure).exclude(level=Level.PROVINCE).order_by("path"))
    if any(u.level == Level.COMMUNE for u in units):
        return units
    mine = visible_units(user).filter(level=Level.COMMUNE).exclude(structure=structure).values_list("pk", flat=True)
    linked = {u.pk: u for us in areas.correspondents_of(list(mine)).values() for u in us if u.structure == structure}
    parents = AdministrativeUnit.objects.filter(pk__in={u.parent_id for u in linked.values()}, level=Level.DISTRICT)
    return sorted([*linked.values(), *parents], key=lambda u: u.path)
