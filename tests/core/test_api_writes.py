"""Every write a signed-in user can make in the UI has an API endpoint (issue #14 §3).

Each app's `api_urls.py` declares `UI_WRITES`: for every UI view that accepts POST, the name of the API route that
makes the same write (`"case-transfer"`), or `"exempt: <reason>"` for writes that only make sense in a browser session
(signing in, switching the language). The walk below finds every POST-accepting UI view, so a new form without an API
(or without a stated reason) fails here.
"""
import ast
import inspect
import textwrap

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# The suite's session fixtures set up the test database; a run of this file alone must let them.
pytestmark = pytest.mark.django_db

# Apps with UI views (parametrised by name: resolving the URLs at collection would open the database connection
# before the test database exists).
APPS = [
    "accounts", "cases", "contacts", "dataprotection", "diseases", "directives", "facilities", "geo", "levels",
    "people", "reports", "supplies", "testing", "vaccination",
]



def _walk(patterns, prefix="", namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), namespace, p


POST_MARKS = ('method == "POST"', "request.POST", "request.FILES")


def _handles_post(fn, seen: set) -> bool:
    """Whether fn's source reads a POST, or a function of its own app whose answer it returns does (a view that hands
    the request to a helper: `return _run_import(request, ...)`). Only returned calls are followed: a GET page that
    asks a helper for a value (`_week(request, ...)`, reading ?week= or a posted week) makes no write."""
    if fn in seen:
        return False
    seen.add(fn)
    try:
        source = inspect.getsource(fn)
    except (OSError, TypeError):
        return False
    if any(mark in source for mark in POST_MARKS):
        return True
    app = (fn.__module__ or "").split(".")[0]
    for node in ast.walk(ast.parse(textwrap.dedent(source))):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name):
            called = inspect.unwrap(fn.__globals__.get(node.value.func.id, None) or (lambda: None))
            if inspect.isfunction(called) and (called.__module__ or "").split(".")[0] == app and _handles_post(called, seen):
                return True
    return False


def _accepts_post(callback) -> bool:
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is not None:  # a class-based view (FormView, ProcessFormView…) or a DRF view: a `post` or `create`
        return hasattr(view_class, "post") or hasattr(view_class, "create")
    closure = getattr(callback, "__closure__", None) or ()
    decorated_post = any(
        isinstance(c.cell_contents, (list, tuple)) and "POST" in c.cell_contents for c in closure if c.cell_contents
    )
    return decorated_post or _handles_post(inspect.unwrap(callback), set())


def ui_write_views():
    """(app label, full url name, route) of every UI view (not /api/, not the admin) that accepts POST."""
    for route, namespace, pattern in _walk(get_resolver().url_patterns):
        if route.startswith(("api/", "quantri/", "i18n/")):
            continue
        module = getattr(inspect.unwrap(pattern.callback), "__module__", "") or ""
        app = module.split(".")[0]
        if app in {"django", "rest_framework", "drf_spectacular", "two_factor"}:
            continue
        if not _accepts_post(pattern.callback):
            continue
        name = f"{namespace}:{pattern.name}" if namespace and pattern.name else (pattern.name or route)
        yield app, name, route


def _declared(app):
    """The app's UI_WRITES, read from the API urlconf the project includes (no import by name)."""
    for p in get_resolver().url_patterns:
        module = getattr(p, "urlconf_module", None)
        if isinstance(p, URLResolver) and getattr(module, "__name__", "") == f"{app}.api_urls":
            return getattr(module, "UI_WRITES", {})
    return {}


def test_every_app_with_ui_writes_is_walked():
    apps = {app for app, _, _ in ui_write_views()}
    assert apps <= set(APPS), f"add the new app to APPS: {apps - set(APPS)}"


@pytest.mark.parametrize("app_label", APPS)
def test_every_ui_write_has_an_api(app_label):
    app = app_label
    declared = _declared(app)
    names = get_resolver().reverse_dict
    missing, unknown = [], []
    for _, name, route in (v for v in ui_write_views() if v[0] == app):
        target = declared.get(name)
        if target is None:
            missing.append(f"{name} ({route})")
        elif target.startswith("exempt:"):
            assert len(target) > len("exempt: ") + 10, f"{name}: say why it is exempt"
        elif target not in names:
            unknown.append(f"{name} → {target}")
    assert not missing, f"UI writes without an API in {app}.api_urls.UI_WRITES: {missing}"
    assert not unknown, f"API route names that do not exist: {unknown}"
