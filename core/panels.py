"""Lists of other domains' records on one record's page, without the record's app importing theirs.

A person's record is the hub: `cases` lists the person's cases there, `contacts` the times the person was a
contact, `testing` the tests, `vaccination` the doses, `audit` the changes to the record. Each app registers a
panel (as `core.links` registers buttons); `people/detail.html` draws them with `{% object_panels person %}`.

A panel's `rows(obj, user, limit)` returns at most `limit` rows (each `PanelRow`) in a fixed number of queries
(one, with select_related), scoped through `core.scoping`; the page shows the first `LIMIT` and, when there are
more, a link to the full list (`more`). So the record costs the same number of queries whatever its history.
"""
from collections.abc import Callable
from dataclasses import dataclass, field

LIMIT = 10


@dataclass(frozen=True)
class PanelRow:
    cells: list
    url: str | None = None


@dataclass(frozen=True)
class Panel:
    target: str  # model label, "people.person"
    title: str  # Vietnamese msgid
    columns: tuple[str, ...]  # Vietnamese msgids
    rows: Callable  # (obj, user, limit) -> list[PanelRow]
    roles: frozenset | None = None
    gate: str | None = None  # a URL name the user must be able to open (core.access.may_open), with the object's pk
    gate_kwarg: str | None = None
    more: Callable | None = None  # (obj, user) -> URL of the full list, or None
    empty: str = "Chưa có."
    order: int = 100
    key: str = field(default="")


_PANELS: dict[tuple[str, str], Panel] = {}


def register_panel(target: str, title: str, columns, rows, *, roles=None, gate=None, gate_kwarg=None, more=None,
                   empty="Chưa có.", order=100) -> None:
    """Register (once: a second registration of the same target and title replaces the first) a list on `target`'s page."""
    _PANELS[(target, title)] = Panel(target, title, tuple(columns), rows, frozenset(roles) if roles else None, gate,
                                     gate_kwarg, more, empty, order, key=f"{target}:{title}")


def _cell(value):
    """Dates as dd/mm/yyyy, times as dd/mm/yyyy hh:mm (local), empty as a dash, the rest as given."""
    import datetime as dt

    from django.utils import timezone

    if value is None or value == "":
        return "—"
    if isinstance(value, dt.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return value


def panels_for(obj, user) -> list[dict]:
    """The panels `user` may see on `obj`'s page, each with its rows (at most LIMIT) and whether there are more."""
    from django.utils.translation import gettext

    from .access import may_open, may_open_path

    out = []
    label = obj._meta.label_lower
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.title)):
        if panel.target != label or (panel.roles and not user.has_role(panel.roles)):
            continue
        if panel.gate and not may_open(user, panel.gate, **({panel.gate_kwarg: obj.pk} if panel.gate_kwarg else {})):
            continue
        rows = list(panel.rows(obj, user, LIMIT + 1))
        shown = [PanelRow([_cell(c) for c in row.cells], row.url) for row in rows[:LIMIT]]
        more = panel.more(obj, user) if panel.more and len(rows) > LIMIT else None
        if more and not may_open_path(user, more.split("?")[0]):
            more = None
        out.append({"title": gettext(panel.title), "columns": [gettext(c) for c in panel.columns],
                    "rows": shown, "more": more,
                    "empty": gettext(panel.empty)})
    return out
