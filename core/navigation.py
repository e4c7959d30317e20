"""The main menu. Each domain app registers its entries in its AppConfig.ready() with `register`.

An entry is shown only to users whose role is listed (None = every signed-in user) and whom the entry's view
admits (core.access.may_open): the menu never offers a page that answers 403.
"""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class NavEntry:
    label: str  # Vietnamese msgid, translated at render time
    url_name: str
    roles: frozenset | None = None
    order: int = 100
    icon: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)


_ENTRIES: list[NavEntry] = []


def register(label: str, url_name: str, roles=None, order: int = 100) -> None:
    entry = NavEntry(label, url_name, frozenset(roles) if roles else None, order)
    if entry not in _ENTRIES:
        _ENTRIES.append(entry)


def entries_for(user) -> list[NavEntry]:
    if not user.is_authenticated:
        return []
    from .access import may_open

    role = getattr(user, "role", None)
    return sorted(
        (e for e in _ENTRIES if (e.roles is None or role in e.roles or user.is_superuser) and may_open(user, e.url_name)),
        key=lambda e: e.order,
    )
