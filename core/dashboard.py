"""Home-page tiles. Each app registers a function that returns tiles for the request (scoped counts)."""
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
