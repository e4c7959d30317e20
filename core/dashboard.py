"""Home-page tiles, and the home page of a role. Each app registers a function that returns tiles for the request
(scoped counts); an app may register its page as the home of some roles (the leadership lands on the dashboard)."""
from collections.abc import Callable

_PROVIDERS: list[tuple[int, Callable]] = []


def register_tiles(provider: Callable, order: int = 100) -> None:
    if all(p is not provider for _, p in _PROVIDERS):
        _PROVIDERS.append((order, provider))


def tiles_for(request) -> list[dict]:
    """A tile: {"label": str, "value": str|int, "url": str|None, "tone": "ok"|"warn"|"alert"|""}."""
    tiles = []
    for _, provider in sorted(_PROVIDERS, key=lambda p: p[0]):
        tiles.extend(provider(request) or [])
    return tiles


_HOMES: list[tuple[frozenset, str]] = []


def register_home(url_name: str, roles) -> None:
    """`url_name` is the home page of a user with one of `roles` (other roles keep the tiles). Platform code names
    the page by its URL name only, so an upper layer (reports) can be the home without core importing it."""
    entry = (frozenset(roles), url_name)
    if entry not in _HOMES:
        _HOMES.append(entry)


def home_url_for(user) -> str | None:
    """The registered home page of the user's role, or None for the tiles page."""
    from django.urls import NoReverseMatch, reverse

    for roles, url_name in _HOMES:
        if getattr(user, "role", None) in roles:
            try:
                return reverse(url_name)
            except NoReverseMatch:  # the app is not installed here
                return None
    return None
