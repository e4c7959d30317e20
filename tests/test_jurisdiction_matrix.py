"""Jurisdiction matrix: for every list, detail, export and API endpoint, a user of another commune sees nothing of
this commune's people, and an officer of another department sees no people at all.

Nothing here is listed by hand: at test time the test walks Django's URL resolver and

* creates, in commune A, one object of every *person-linked* model that declares `jurisdiction_field` (the model
  is people.Person or reaches it through a foreign key, e.g. a case, a test, a dose), with `FACTORIES` below when a
  model needs care, otherwise with a generic builder that fills required fields; a model the builder cannot create
  is reported and only its list endpoints are checked;
* requests every GET URL pattern of the project (pages and API) with no argument, or with the pk of each
  commune-A object that can belong to it (`<int:pk>` → objects of the view's app or the viewset's model,
  `<int:case_pk>` → objects of a model named Case, …), as the commune-A user (control), the commune-B user and the
  agency officer.

The oracle is the commune-A resident's unique name (MARKER): wherever the commune-A user sees it, the commune-B
user must get 404 (or 403/redirect/empty) and must never see it; the agency officer must never see it anywhere.
API list endpoints of a viewset whose model declares `jurisdiction_field` must not return the ids of commune A's
rows to the commune-B user. New apps' endpoints are picked up by these conventions without editing this file.
"""
import datetime as dt
import decimal
import re
import uuid
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.db import models, transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tests.conftest import make_person, make_user

pytestmark = pytest.mark.django_db

MARKER = "Zơ Rum Bímật"  # the commune-A resident's name: must never reach commune B or the agency officer
MARKER_PHONE = "0912000111"

# URL patterns not built generically, with the reason. Keys: "namespace:name" or a namespace prefix ending in ":".
SKIPPED = {
    "admin:": "Django admin: staff and superusers only (commune and agency users are redirected to its login; "
              "tested in test_the_django_admin_is_for_administrators_only)",
    "api-docs": "Swagger UI page, no data",
    "api-schema": "OpenAPI schema, no data (tests/test_api_schema.py)",
    "set_language": "language switch (POST), no data",
    "accounts:logout": "signing out (POST), no data",
    "accounts:otp_setup": "creates a TOTP device for the caller himself",
}
# kwarg name → model name that the pk designates (besides the `<model>_pk` convention).
KWARG_MODELS = {"pk": None, "id": None, "object_id": None}


# --- Objects in commune A ----------------------------------------------------------------------------------------
@dataclass
class World:
    person: object
    commune_a: object
    user_a: object
    objects: list = field(default_factory=list)  # [(model, instance)]
    failed: dict = field(default_factory=dict)  # model label → reason

    def pks_for(self, model=None, app_label=None, model_name=None):
        out = []
        for m, obj in self.objects:
            if model is not None and not issubclass(m, model):
                continue
            if app_label is not None and m._meta.app_label != app_label:
                continue
            if model_name is not None and m._meta.model_name != model_name:
                continue
            out.append((m, obj.pk))
        return out


def person_model():
    return apps.get_model("people", "Person")


def is_person_linked(model, depth=2) -> bool:
    Person = person_model()
    if model is Person:
        return True
    if depth == 0:
        return False
    for f in model._meta.concrete_fields:
        if f.is_relation and f.related_model is not None and f.related_model is not model:
            if f.related_model is Person or (f.related_model._meta.app_label not in ("geo", "accounts", "auth", "contenttypes")
                                             and is_person_linked(f.related_model, depth - 1)):
                return True
    return False


def scoped_person_linked_models():
    return [m for m in apps.get_models() if getattr(m, "jurisdiction_field", None) and is_person_linked(m)]


def build(model, world: "World", depth: int = 0, cache: dict | None = None):
    """A saved instance of `model` in commune A with every required field filled; None if it cannot be made."""
    cache = {} if cache is None else cache
    if model in cache:
        return cache[model]
    if model is person_model():
        return world.person
    factory = FACTORIES.get(model._meta.label_lower)
    if factory:
        obj = factory(world)
        cache[model] = obj
        return obj
    if depth > 3:
        raise LookupError(f"too deep at {model._meta.label}")
    values = {}
    for f in model._meta.concrete_fields:
        if f.primary_key and not f.is_relation:
            if isinstance(f, models.AutoField | models.BigAutoField | models.SmallAutoField) or f.has_default():
                continue
        values[f.attname if f.is_relation else f.name] = _value(f, world, depth, cache)
    values = {k: v for k, v in values.items() if v is not _SKIP}
    obj = model(**values)
    obj.save()
    cache[model] = obj
    return obj


_SKIP = object()


def _value(f, world, depth, cache):
    from accounts.models import User
    from geo.models import AdministrativeUnit

    if f.is_relation:
        target = f.related_model
        if target is person_model():
            return world.person.pk
        if target is AdministrativeUnit:
            return world.commune_a.pk
        if target is User:
            return world.user_a.pk
        if f.null:
            return None
        existing = target._default_manager.first()
        if existing is not None and not is_person_linked(target) and not getattr(target, "jurisdiction_field", None):
            return existing.pk
        return build(target, world, depth + 1, cache).pk
    if f.has_default():
        return _SKIP
    if f.null:
        return None
    if f.choices:
        return f.choices[0][0] if not isinstance(f.choices[0][1], list | tuple) else f.choices[0][1][0][0]
    today = dt.date(2022, 2, 14)
    if isinstance(f, models.BooleanField):
        return False
    if isinstance(f, models.DateTimeField):
        return timezone.now()
    if isinstance(f, models.DateField):
        return today
    if isinstance(f, models.TimeField):
        return dt.time(8, 0)
    if isinstance(f, models.DurationField):
        return dt.timedelta(0)
    if isinstance(f, models.DecimalField):
        return decimal.Decimal(1)
    if isinstance(f, models.FloatField):
        return 1.0
    if isinstance(f, models.IntegerField):
        return 1
    if isinstance(f, models.UUIDField):
        return uuid.uuid4()
    if isinstance(f, models.GenericIPAddressField):
        return "127.0.0.1"
    if isinstance(f, models.EmailField):
        return "a@example.org"
    if isinstance(f, models.JSONField):
        return {}
    if isinstance(f, models.FileField):
        return ""
    if isinstance(f, models.CharField | models.TextField):
        text = uuid.uuid4().hex if f.unique else "Ghi chú xã A"
        return text[: f.max_length] if f.max_length else text
    raise LookupError(f"no value for {f.model._meta.label}.{f.name} ({type(f).__name__})")


# Models whose required fields the generic builder cannot guess. Add one line per such model: label → fn(world).
FACTORIES = {}


@pytest.fixture
def world(personas, commune_a):
    person = make_person(commune_a, full_name=MARKER, birth_year=1975, phone=MARKER_PHONE, id_kind="cmnd", id_number="233987654")
    w = World(person=person, commune_a=commune_a, user_a=personas["commune_a"])
    w.objects.append((person_model(), person))
    cache = {}
    for model in scoped_person_linked_models():
        if model is person_model():
            continue
        try:
            with transaction.atomic():
                obj = build(model, w, cache=cache)
        except Exception as exc:  # noqa: BLE001 - a model the builder cannot make is reported, not fatal
            w.failed[model._meta.label] = f"{type(exc).__name__}: {exc}"[:200]
            cache.pop(model, None)
            continue
        w.objects.append((model, obj))
    # Objects built along the way as dependencies (e.g. the case of a check-up) are candidates too.
    for model, obj in cache.items():
        if (model, obj) not in w.objects and getattr(model, "jurisdiction_field", None):
            w.objects.append((model, obj))
    return w


# --- URL patterns ---------------------------------------------------------------------------------------------------
@dataclass
class Route:
    name: str  # "namespace:name"
    kwargs: list  # kwarg names
    converters: dict  # kwarg → converter class name
    callback: object
    viewset_model: object = None
    actions: dict | None = None

    @property
    def app_label(self):
        module = getattr(self.callback, "__module__", "") or ""
        cls = getattr(self.callback, "cls", None) or getattr(self.callback, "view_class", None)
        if cls is not None:
            module = cls.__module__
        return module.split(".")[0]

    @property
    def is_api_viewset(self):
        return self.viewset_model is not None


def walk(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}{p.namespace}:"
            yield from _with_prefix(p, walk(p, ns))
        elif isinstance(p, URLPattern):
            yield p, namespace, _pattern_kwargs(p)


def _with_prefix(resolver, items):
    prefix_kwargs = _pattern_kwargs(resolver)
    for p, ns, kw in items:
        yield p, ns, {**prefix_kwargs, **kw}


def _pattern_kwargs(p) -> dict:
    pattern = p.pattern
    converters = getattr(pattern, "converters", None)
    if converters is not None and hasattr(pattern, "_route"):
        return {k: type(v).__name__ for k, v in converters.items()}
    return {k: "regex" for k in pattern.regex.groupindex}


def routes():
    out = []
    for p, ns, kw in walk():
        name = f"{ns}{p.name}" if p.name else None
        cls = getattr(p.callback, "cls", None)
        model = None
        if cls is not None and getattr(cls, "queryset", None) is not None and hasattr(p.callback, "actions"):
            model = cls.queryset.model
        out.append(Route(name=name, kwargs=[k for k in kw if k != "format"], converters=kw, callback=p.callback,
                         viewset_model=model, actions=getattr(p.callback, "actions", None)))
    return out


def skip_reason(route: Route) -> str | None:
    if route.name is None:
        return "unnamed pattern (cannot be reversed)"
    for key, reason in SKIPPED.items():
        if route.name == key or (key.endswith(":") and route.name.startswith(key)):
            return reason
    if "format" in route.converters:
        return "format-suffix variant of another route"
    if route.actions is not None and "get" not in route.actions:
        return "API route without GET (writes are checked through the detail routes)"
    bad = [k for k in route.kwargs if route.converters[k] not in ("IntConverter", "regex")]
    if bad:
        return f"addressed by {', '.join(bad)} (not a pk: e.g. a public token or a file path)"
    if len(route.kwargs) > 2:
        return "more than two arguments"
    return None


def candidates(route: Route, world: World, kwarg: str):
    """(model, pk) of commune-A objects that this kwarg of this route may designate."""
    m = re.fullmatch(r"(\w+?)_(?:pk|id)", kwarg)
    if m:
        return world.pks_for(model_name=m.group(1).replace("_", ""))
    if route.viewset_model is not None:
        return world.pks_for(model=route.viewset_model)
    return world.pks_for(app_label=route.app_label) or world.pks_for(model=person_model())


def urls_for(route: Route, world: World):
    if not route.kwargs:
        yield reverse(route.name), None
        return
    first = candidates(route, world, route.kwargs[0])
    if len(route.kwargs) == 1:
        for model, pk in first:
            yield reverse(route.name, kwargs={route.kwargs[0]: pk}), model
        return
    second = candidates(route, world, route.kwargs[1])
    for model, pk in first:
        for _, pk2 in second:
            yield reverse(route.name, kwargs={route.kwargs[0]: pk, route.kwargs[1]: pk2}), model


# --- Clients ----------------------------------------------------------------------------------------------------------
@pytest.fixture
def region_users(personas, commune_a, commune_b):
    """Regional health centre staff (geo.HealthRegion): region A holds the 2025 communes that took over commune A's
    former district (so it took over that district), region B the one that took over commune B. Their jurisdiction
    is the region, not a unit."""
    from geo.models import AdministrativeUnit, UnitCorrespondence
    from geo.services import create_region

    out = {}
    b_new = commune_b.successor_links.get(is_default=True).new_unit
    a_new = AdministrativeUnit.objects.filter(pk__in=UnitCorrespondence.objects.filter(
        is_default=True, old_unit__parent=commune_a.parent).values("new_unit_id")).exclude(pk=b_new.pk)
    for key, communes in (("region_a", list(a_new)), ("region_b", [b_new])):
        region = create_region(by=None, province=b_new.parent, name=f"Khu vực {key}", communes=communes)
        out[key] = make_user(f"kv_{key}", "regional_health", None, region=region)
    personas.update(out)
    return out


def clients(personas, client_for, api_for):
    out = {}
    for key in ("commune_a", "commune_b", "agency", *(["region_b"] if "region_b" in personas else [])):
        web = client_for(personas[key])
        api = api_for(personas[key])
        web.raise_request_exception = False
        api.raise_request_exception = False
        out[key] = (web, api)
    return out


def get(pair, url):
    web, api = pair
    response = (api if url.startswith("/api/") else web).get(url, HTTP_ACCEPT="application/json" if url.startswith("/api/") else "text/html")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body.decode("utf-8", "replace")


def result_ids(body: str):
    import json

    try:
        data = json.loads(body)
    except ValueError:
        return set()
    rows = data.get("results", data) if isinstance(data, dict) else data
    if isinstance(rows, dict) and rows.get("type") == "FeatureCollection":
        rows = rows.get("features", [])
    return {r.get("id") for r in rows if isinstance(r, dict)} if isinstance(rows, list) else set()


# --- The matrix ---------------------------------------------------------------------------------------------------------
def test_the_world_has_an_object_of_every_person_linked_model_or_says_why(world):
    made = {m._meta.label for m, _ in world.objects}
    assert "people.Person" in made
    for label in world.failed:
        assert label not in made
    print(f"\nbuilt: {sorted(made)}\nnot built (list endpoints only): {world.failed}")


def test_no_url_shows_commune_a_people_to_commune_b_or_to_an_agency(world, personas, region_users, client_for, api_for):
    users = clients(personas, client_for, api_for)
    leaks, effective, skipped = [], [], {}
    for route in routes():
        reason = skip_reason(route)
        if reason:
            skipped[route.name or repr(route.callback)] = reason
            continue
        for url, _model in urls_for(route, world):
            status_a, body_a = get(users["commune_a"], url)
            a_sees = status_a == 200 and MARKER in body_a
            status_b, body_b = get(users["commune_b"], url)
            status_g, body_g = get(users["agency"], url)
            status_r, body_r = get(users["region_b"], url)
            if MARKER in body_b:
                leaks.append(f"commune B sees {MARKER!r} at {url} ({status_b})")
            if MARKER in body_r:
                leaks.append(f"region B's user sees {MARKER!r} at {url} ({status_r})")
            if MARKER in body_g:
                leaks.append(f"agency officer sees {MARKER!r} at {url} ({status_g})")
            if a_sees:
                effective.append(url)
                if route.kwargs and status_b == 200 and not url.startswith("/api/"):
                    leaks.append(f"commune B gets 200 at {url}, which shows commune A's person to commune A")
                if route.kwargs and url.startswith("/api/") and status_b not in (403, 404):
                    leaks.append(f"commune B gets {status_b} (not 404) at {url}")
    assert not leaks, "\n".join(leaks)
    # The matrix is not vacuous: the people pages and API were exercised with commune A's person.
    pk = world.person.pk
    for must in ("/people/", f"/people/{pk}/", f"/people/{pk}/sua/", "/api/people/", f"/api/people/{pk}/"):
        assert must in effective, f"{must} did not show the commune-A person to the commune-A user"
    print(f"\nchecked {len(effective)} URLs showing commune A's person; skipped {len(skipped)} patterns:")
    for name, reason in sorted(skipped.items()):
        if not name.startswith("admin:"):
            print(f"  {name}: {reason}")


def test_api_lists_return_no_row_of_commune_a_to_commune_b_or_an_agency(world, personas, region_users, client_for, api_for):
    users = clients(personas, client_for, api_for)
    checked = []
    for route in routes():
        if route.viewset_model is None or route.kwargs or skip_reason(route):
            continue
        model = route.viewset_model
        if not getattr(model, "jurisdiction_field", None):
            continue
        ours = {pk for _, pk in world.pks_for(model=model)}
        url = reverse(route.name)
        status_a, body_a = get(users["commune_a"], url)
        for key in ("commune_b", "agency", "region_b"):
            status, body = get(users[key], url)
            if route.actions.get("get") == "list":
                assert status in (200, 403, 404), f"{key} gets {status} at {url}"
            if status == 200:
                assert not (result_ids(body) & ours), f"{key} gets commune A's {model._meta.label} rows at {url}"
                assert MARKER not in body
        checked.append((url, bool(ours & result_ids(body_a))))
    assert ("/api/people/", True) in checked


def test_commune_b_cannot_change_commune_a_people(world, personas, api_for, client_for):
    pk = world.person.pk
    api_b = api_for(personas["commune_b"])
    assert api_b.patch(f"/api/people/{pk}/", {"occupation": "X", "version": 1}, format="json").status_code == 404
    assert api_b.put(f"/api/people/{pk}/", {"full_name": "X", "birth_year": 1975, "sex": "M", "commune": world.commune_a.pk, "version": 1},
                     format="json").status_code == 404
    web_b = client_for(personas["commune_b"])
    assert web_b.post(f"/people/{pk}/sua/", {"full_name": "X", "birth_year": 1975, "sex": "M", "id_kind": "none",
                                            "commune": world.commune_a.pk, "version": 1}).status_code == 404
    # Nor create someone in commune A.
    created = api_b.post("/api/people/", {"full_name": "Người Lạ", "birth_year": 1990, "sex": "M", "commune": world.commune_a.pk}, format="json")
    assert created.status_code == 400
    world.person.refresh_from_db()
    assert world.person.full_name == MARKER and world.person.version == 1


def test_the_agency_officer_sees_no_people_at_all(world, personas, api_for, client_for):
    api = api_for(personas["agency"])
    response = api.get("/api/people/")
    assert response.status_code == 403 or response.json()["count"] == 0
    assert api.get(f"/api/people/{world.person.pk}/").status_code in (403, 404)
    web = client_for(personas["agency"])
    assert web.get("/people/").status_code in (403, 404)
    assert web.get(f"/people/{world.person.pk}/").status_code in (403, 404)
    from core.scoping import scope

    for model in scoped_person_linked_models():
        assert not scope(model._default_manager.all(), personas["agency"]).exists(), model._meta.label


def test_every_scoped_model_is_empty_for_commune_b(world, personas):
    from core.scoping import scope

    for model, obj in world.objects:
        assert not scope(model._default_manager.filter(pk=obj.pk), personas["commune_b"]).exists(), model._meta.label
        assert scope(model._default_manager.filter(pk=obj.pk), personas["commune_a"]).exists(), model._meta.label


def test_the_district_and_the_province_see_commune_a(world, personas, api_for):
    for key in ("district_a", "health_dept", "leader"):
        assert api_for(personas[key]).get(f"/api/people/{world.person.pk}/").status_code == 200, key


def test_the_django_admin_is_for_administrators_only(world, personas, client_for):
    for key in ("commune_a", "commune_b", "agency", "leader"):
        response = client_for(personas[key]).get(f"/quantri/people/person/{world.person.pk}/change/")
        assert response.status_code == 302 and "/quantri/login/" in response["Location"], key


def test_a_region_user_sees_the_communes_of_his_region_and_their_history_only(world, personas, region_users, api_for):
    """Region A holds the 2025 commune that took over commune A: its user sees commune A's (pre-2025) records;
    region B's user sees none of them."""
    from core.scoping import scope

    assert api_for(region_users["region_a"]).get(f"/api/people/{world.person.pk}/").status_code == 200
    assert api_for(region_users["region_b"]).get(f"/api/people/{world.person.pk}/").status_code == 404
    for model, obj in world.objects:
        assert scope(model._default_manager.filter(pk=obj.pk), region_users["region_a"]).exists(), model._meta.label
        assert not scope(model._default_manager.filter(pk=obj.pk), region_users["region_b"]).exists(), model._meta.label


# --- Region users on every scoped model ----------------------------------------------------------------------------------
# How a health region's user is scoped on the models that decide it themselves (scope_for_user). Every scoped model of
# the project must be here or declare `jurisdiction_field` (then: region A sees commune A's row, region B does not):
# a new model fails test_every_scoped_model_has_a_region_expectation until its rule for region users is stated.
#   "area": place-bound (built on commune A): region A sees it, region B does not;
#   "reference": reference data, every signed-in user reads all of it;
#   "own": the uploader's own (built by commune A's user): no region user sees it;
#   "province": province-wide registers (role-gated): no region user sees it;
#   "province_area": concerns today's whole province (built on it): every region of the province sees it.
REGION_EXPECTATIONS = {
    "core.ImportBatch": "own", "vaccination.ImportBatch": "own", "vaccination.ReconciliationRun": "own",
    "fieldapp.SyncReceipt": "own",
    "geo.HealthRegion": "reference", "levels.CriteriaVersion": "reference", "levels.Measure": "reference",
    "supplies.Item": "reference", "supplies.Lot": "reference", "dataprotection.DeadlineRule": "reference",
    "dataprotection.RetentionRule": "reference",
    "people.RehomingRun": "province", "reports.ReportSetup": "province", "reports.OutsideFigures": "province",
    "reports.SituationReport": "province", "dataprotection.Breach": "province", "accounts.User": "province",
    "testing.LineageAlert": "province_area", "testing.Campaign": "area", "supplies.Transfer": "area", "reports.Feedback": "area",
    "directives.Directive": "area", "directives.Task": "area", "directives.Assignment": "area",
    "directives.Occurrence": "area", "directives.ProgressReport": "area", "directives.Reminder": "area",
}


def scoped_models():
    # A proxy shares its concrete model's table and scoping: the concrete model is the one checked.
    return [m for m in apps.get_models() if not m._meta.proxy
            and (getattr(m, "jurisdiction_field", None) or getattr(m, "scope_for_user", None))]


def test_every_scoped_model_has_a_region_expectation():
    missing = [m._meta.label for m in scoped_models()
               if not getattr(m, "jurisdiction_field", None) and m._meta.label not in REGION_EXPECTATIONS]
    assert not missing, f"state how a region user is scoped on: {missing}"


def _build_on(model, unit, user, person, cache):
    w = World(person=person, commune_a=unit, user_a=user)
    with transaction.atomic():
        return build(model, w, cache=cache)


def _agency_on(unit):
    from accounts.models import Agency

    return Agency.objects.get_or_create(name=f"UBND {unit.name} ({unit.code})",
                                        defaults={"kind": Agency.Kind.PEOPLES_COMMITTEE, "unit": unit})[0]


# Directives reach a place through the agency their task is assigned to (a People's Committee of a unit).
def _on_agency(model):
    def make(unit, user, person, cache):
        from directives.models import Assignment, Directive, Task

        world = World(person=person, commune_a=unit, user_a=user)
        with transaction.atomic():
            assignment = cache.get(Assignment) or _assignment(world, _agency_on(unit), cache)
            if model in (Assignment, Task, Directive):
                return {Assignment: assignment, Task: assignment.task, Directive: assignment.task.directive}[model]
            values = {(f.attname if f.is_relation else f.name): _value(f, world, 0, cache)
                      for f in model._meta.concrete_fields if not f.primary_key and f.name != "assignment"}
            obj = model(assignment=assignment, **{k: v for k, v in values.items() if v is not _SKIP})
            obj.save()
            return obj
    return make


def _assignment(world, agency, cache):
    from directives.models import Assignment, Directive, Task

    directive = Directive.objects.create(subject="Công văn khu vực", status=Directive.Status.CONFIRMED)
    task = Task.objects.create(directive=directive, ref="1", text="Nhiệm vụ của xã")
    assignment = Assignment.objects.create(task=task, agency=agency)
    cache[Assignment] = assignment
    return assignment


def _feedback(unit, user, person, cache):
    from reports.models import Feedback

    return Feedback.objects.create(unit=unit, **{f.name: _value(f, World(person, unit, user), 0, {})
                                                 for f in Feedback._meta.concrete_fields
                                                 if not f.primary_key and f.name != "unit" and not f.has_default()
                                                 and not f.null and not f.is_relation})


def _lineage_alert(unit, user, person, cache):
    """An alert of today's province (the one the regions belong to): every region of it sees it."""
    from testing.models import LineageAlert

    province = unit.successor_links.get(is_default=True).new_unit.parent
    return _build_on(LineageAlert, province, user, person, {})


def _transfer(unit, user, person, cache):
    from supplies.models import Store, Transfer

    world = World(person, unit, user)
    here = build(Store, world, cache={})
    return build(Transfer, world, cache={Store: here})


AREA_BUILDERS = {"reports.Feedback": _feedback, "testing.LineageAlert": _lineage_alert, "supplies.Transfer": _transfer}


@pytest.fixture
def region_world(personas, region_users, commune_a, commune_b):
    """One row of every scoped model on commune A (and, for models placed on a unit, one on commune A's former
    district), built as generically as the matrix above; failures are reported by the test."""
    person = make_person(commune_a, full_name=MARKER, birth_year=1975)
    user = personas["commune_a"]
    rows, failed, cache = [], {}, {}
    for model in scoped_models():
        label = model._meta.label
        if label == "people.Person":
            rows.append((model, person, "area"))
            continue
        kind = "area" if getattr(model, "jurisdiction_field", None) else REGION_EXPECTATIONS.get(label)
        try:
            if label in AREA_BUILDERS:
                with transaction.atomic():
                    obj = AREA_BUILDERS[label](commune_a, user, person, cache)
            elif label.startswith("directives."):
                obj = _on_agency(model)(commune_a, user, person, cache)
            else:
                obj = _build_on(model, commune_a, user, person, cache)
        except Exception as exc:  # noqa: BLE001 - reported below
            failed[label] = f"{type(exc).__name__}: {exc}"[:200]
            continue
        rows.append((model, obj, kind))
    # Records kept on the former district (e.g. the district health centre that became the regional one).
    district_rows = []
    for model in scoped_models():
        if getattr(model, "jurisdiction_field", None) == "unit":
            try:
                district_rows.append((model, _build_on(model, commune_a.parent, user, person, {})))
            except Exception as exc:  # noqa: BLE001 - reported below
                failed[f"{model._meta.label} (district)"] = f"{type(exc).__name__}: {exc}"[:200]
    return rows, district_rows, failed


def test_a_region_user_is_scoped_on_every_scoped_model(region_world, region_users, personas):
    from core.scoping import scope

    rows, district_rows, failed = region_world
    built = {m._meta.label for m, _o, _k in rows}
    # Every place-bound model was placed on commune A (a model the builder cannot make would escape the check).
    unbuilt = [m._meta.label for m in scoped_models()
               if (getattr(m, "jurisdiction_field", None) or REGION_EXPECTATIONS.get(m._meta.label) in ("area", "province_area"))
               and m._meta.label not in built]
    assert not unbuilt, f"not built: {unbuilt}: {failed}"
    a, b = region_users["region_a"], region_users["region_b"]
    wrong = []
    for model, obj, kind in rows:
        one = model._default_manager.filter(pk=obj.pk)
        seen_a, seen_b = scope(one, a).exists(), scope(one, b).exists()
        expected = {"area": (True, False), "reference": (True, True), "own": (False, False),
                    "province": (False, False), "province_area": (True, True)}[kind]
        if (seen_a, seen_b) != expected:
            wrong.append(f"{model._meta.label} ({kind}): region A sees {seen_a}, region B sees {seen_b}")
    assert not wrong, "\n".join(wrong)
    assert district_rows, "no model placed on a unit was built on the former district"
    for model, obj in district_rows:
        one = model._default_manager.filter(pk=obj.pk)
        assert scope(one, a).exists(), f"{model._meta.label} on the former district: hidden from the region that took it over"
        assert not scope(one, b).exists(), f"{model._meta.label} on commune A's former district: seen by region B"
    # A region user sees his own account (and himself only, not being a user manager).
    assert list(scope(apps.get_model("accounts", "User").objects.all(), a)) == [a]


def test_a_region_holding_the_non_default_successor_of_a_divided_commune_sees_its_history_but_does_not_count_it(
        personas, kontum):
    """A pre-2025 commune divided between 2025 communes: its records are seen from every successor (whoever governs a
    place sees its history) but counted once, in the commune that took its name (geo.areas.under_q)."""
    from django.db.models import Count

    from core.scoping import scope
    from geo import areas
    from geo.models import AdministrativeUnit, UnitCorrespondence
    from geo.services import create_region
    from people.models import Person

    divided = (UnitCorrespondence.objects.filter(old_unit__path__startswith="/62/").values("old_unit")
               .annotate(n=Count("pk")).filter(n__gt=1).order_by("old_unit").first())
    if divided is None:  # the fixture's Kon Tum has none: divide one, as the 2025 reorganisation did elsewhere
        old = AdministrativeUnit.objects.get(path="/62/608/23281/")
        heir = old.successor_links.get(is_default=True).new_unit
        part = heir.parent.children.filter(level="commune").exclude(pk=heir.pk).order_by("code").first()
        UnitCorrespondence.objects.create(old_unit=old, new_unit=part, is_default=False)
        divided = {"old_unit": old.pk}
    links = UnitCorrespondence.objects.filter(old_unit_id=divided["old_unit"]).select_related("old_unit", "new_unit")
    old = links[0].old_unit
    other = next(link.new_unit for link in links if not link.is_default)
    heir = next(link.new_unit for link in links if link.is_default)
    side = create_region(by=None, province=other.parent, name="Khu vực phụ", communes=[other])
    main = create_region(by=None, province=heir.parent, name="Khu vực chính", communes=[heir])
    side_user = make_user("kv_phu", "regional_health", None, region=side)
    main_user = make_user("kv_chinh", "regional_health", None, region=main)
    person = make_person(old, full_name=MARKER)
    for user in (side_user, main_user):
        assert scope(Person.objects.filter(pk=person.pk), user).exists(), user.username
    counted = Person.objects.filter(pk=person.pk)
    assert not counted.filter(areas.under_q(side, "commune", counting=True)).exists()
    assert counted.filter(areas.under_q(main, "commune", counting=True)).exists()
    assert old.pk not in areas.commune_ids_under(side) and old.pk in areas.commune_ids_under(main)


def test_a_former_district_belongs_only_to_a_region_holding_more_than_half_of_it(personas, kontum):
    """A former district's own records (its health centre, its campaigns and reports) go with the region that took
    over more than half of its communes; a region holding a smaller share, or two regions sharing it half and half,
    see none of them (communes in no region count in the whole)."""
    from core.scoping import scope
    from facilities.models import Facility
    from geo import areas
    from geo.models import AdministrativeUnit, UnitCorrespondence
    from geo.services import create_region

    district = AdministrativeUnit.objects.get(path="/62/608/")
    heirs = sorted({link.new_unit for link in UnitCorrespondence.objects.filter(
        is_default=True, old_unit__parent=district).select_related("new_unit")}, key=lambda u: u.code)
    olds_of = {h.pk: UnitCorrespondence.objects.filter(is_default=True, new_unit=h, old_unit__parent=district).count() for h in heirs}
    total = sum(olds_of.values())
    centre = Facility.objects.create(name="Trung tâm Y tế thành phố (cũ)", kind="centralised_facility", unit=district)
    # A region with a small share: heirs covering at most a third of the district's communes.
    small, held = [], 0
    for heir in heirs:
        if 3 * (held + olds_of[heir.pk]) > total:
            break
        small.append(heir)
        held += olds_of[heir.pk]
    assert small, "the fixture's district has no heir small enough"
    minority = create_region(by=None, province=heirs[0].parent, name="Khu vực nhỏ", communes=small)
    user = make_user("kv_nho", "regional_health", None, region=minority)
    assert district.pk not in areas.region_district_ids(minority)
    assert not scope(Facility.objects.filter(pk=centre.pk), user).exists()
    assert areas.regions_of([district])[district.pk] is None
    # The rest of the district in a second region: more than half, so it takes the district over.
    rest = create_region(by=None, province=heirs[0].parent, name="Khu vực lớn", communes=[h for h in heirs if h not in small])
    rest_user = make_user("kv_lon", "regional_health", None, region=rest)
    assert scope(Facility.objects.filter(pk=centre.pk), rest_user).exists()
    assert not scope(Facility.objects.filter(pk=centre.pk), make_user("kv_nho2", "regional_health", None, region=minority)).exists()
    assert areas.regions_of([district])[district.pk] == rest.pk


def test_does_this_id_exist_for_a_region_user(region_users, commune_a, commune_b, api_for):
    """Inside his region: found; outside it: only "outside" (no name, no record id); unknown: none."""
    from core.scoping import ID_FOUND, ID_NONE, ID_OUTSIDE
    from people.selectors import lookup_person_by_national_id

    make_person(commune_a, full_name="Người Trong Khu Vực", id_kind="cccd", id_number="062080000111")
    make_person(commune_b, full_name="Người Ngoài Khu Vực", id_kind="cccd", id_number="062080000222")
    user = region_users["region_a"]
    status, found = lookup_person_by_national_id(user, "062080000111")[:2]
    assert status == ID_FOUND and found.full_name == "Người Trong Khu Vực"
    answer = lookup_person_by_national_id(user, "062080000222")
    assert answer[0] == ID_OUTSIDE and "Người Ngoài" not in repr(answer)
    assert lookup_person_by_national_id(user, "062080000333")[0] == ID_NONE
    # The same answer where a user meets it: registering someone with that number names nobody outside the region.
    heir = commune_a.successor_links.get(is_default=True).new_unit
    r = api_for(user).post("/api/people/", {"full_name": "Người Mới", "birth_year": 1980, "sex": "M", "commune": heir.pk,
                                            "id_kind": "cccd", "id_number": "062080000222"}, format="json")
    assert r.status_code in (400, 409), r.content
    body = r.content.decode()
    assert "ngoài địa bàn quản lý" in body and "Người Ngoài" not in body


def test_a_region_user_reports_progress_for_the_people_s_committees_of_his_region(region_users, commune_a):
    from accounts.models import Agency
    from directives.models import Assignment, Directive, Task
    from directives.services import can_report

    heir = commune_a.successor_links.get(is_default=True).new_unit
    agency = Agency.objects.create(name=f"UBND {heir.name}", kind=Agency.Kind.PEOPLES_COMMITTEE, unit=heir)
    task = Task.objects.create(directive=Directive.objects.create(subject="Công văn", status=Directive.Status.CONFIRMED),
                               ref="1", text="Nhiệm vụ")
    assignment = Assignment.objects.create(task=task, agency=agency)
    assert can_report(region_users["region_a"], assignment)
    assert not can_report(region_users["region_b"], assignment)
