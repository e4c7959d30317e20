"""Links from one domain's record page to another domain's actions, without the first importing the second.

`contacts` registers "Người tiếp xúc" on a case page; `testing` registers "Ghi xét nghiệm" on a person page.
A link's URL is built from a URL name and the object's pk (`kwarg`) or a query string (`query`).
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class ObjectLink:
    target: str  # model label, "cases.case"
    label: str  # Vietnamese msgid
    url_name: str
    kwarg: str | None = None  # URL keyword that takes the object's pk
    query: str | None = None  # or a query parameter that takes it
    roles: frozenset | None = None
    order: int = 100


_LINKS: list[ObjectLink] = []


def register_link(target: str, label: str, url_name: str, *, kwarg=None, query=None, roles=None, order=100) -> None:
    link = ObjectLink(target, label, url_name, kwarg, query, frozenset(roles) if roles else None, order)
    if link not in _LINKS:
        _LINKS.append(link)


def links_for(obj, user) -> list[dict]:
    from django.urls import NoReverseMatch, reverse
    from django.utils.translation import gettext

    from .access import may_open

    out = []
    for link in sorted(_LINKS, key=lambda link: link.order):
        if link.target != obj._meta.label_lower or (link.roles and not user.has_role(link.roles)):
            continue
        kwargs = {link.kwarg: obj.pk} if link.kwarg else {}
        if not may_open(user, link.url_name, **kwargs):  # the view's own roles decide, as for the menu
            continue
        try:
            url = reverse(link.url_name, kwargs=kwargs or None)
        except NoReverseMatch:
            continue
        if link.query:
            url = f"{url}?{link.query}={obj.pk}"
        out.append({"label": gettext(link.label), "url": url})
    return out
