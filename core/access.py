"""What a user may open, read from the views themselves: one source of truth for the menu, page links and the 403.

A view declares its roles once (`core.views.role_required` or `RoleRequiredMixin.allowed_roles`); the menu and
the buttons that lead to other pages ask `may_open` instead of repeating the role sets, so a role never sees a link
that answers 403.
"""
from functools import lru_cache

from django.urls import NoReverseMatch, Resolver404, resolve, reverse


@lru_cache(maxsize=512)
def _roles_of(path: str) -> frozenset | None:
    """The roles the view at `path` admits for reading; None when it declares none (any signed-in user)."""
    try:
        func = resolve(path).func
    except Resolver404:
        return None
    view_class = getattr(func, "view_class", None)
    roles = getattr(func, "allowed_roles", None)
    if roles is None and view_class is not None:
        roles = getattr(view_class, "allowed_roles", None)
    return frozenset(roles) if roles is not None else None


def may_open(user, url_name: str, *args, **kwargs) -> bool:
    """True when `user` may open the page named `url_name` (reversed with args/kwargs)."""
    if user is None or not user.is_authenticated:
        return False
    try:
        path = reverse(url_name, args=args or None, kwargs=kwargs or None)
    except NoReverseMatch:
        return False
    roles = _roles_of(path)
    return roles is None or user.has_role(roles)


def may_open_path(user, path: str) -> bool:
    """`may_open` for a path already built (a panel's "see all" link)."""
    if user is None or not user.is_authenticated:
        return False
    roles = _roles_of(path)
    return roles is None or user.has_role(roles)
