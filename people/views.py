from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.auditing import record_read
from core.concurrency import EditConflict
from core.errors import Invalid
from core.pagination import KnownCountPaginator
from core.roles import HEALTH_READERS, PERSON_EDITORS
from core.scoping import scope, visible_commune_ids, visible_units
from core.views import role_required, scoped_object
from geo import areas
from geo.models import Level, Village

from . import services
from .forms import MergeForm, PersonForm
from .models import Person


def visible_people(user):
    return scope(Person.objects.filter(merged_into__isnull=True), user)


def visible_people_count(user) -> int:
    """How many people the user's jurisdiction holds: cached under the "people" data version (core.dataversion),
    which the people services bump when a person is created, moved, merged or imported. Counting 580,000 rows took
    half a second a request (the home page tile and the people list's page count)."""
    from core.dataversion import cached
    from core.pagination import jurisdiction_key

    return cached(("people_count", jurisdiction_key(user)), versions=["people"], compute=lambda: visible_people(user).count())


def _listed_people(user):
    """The people of the user's jurisdiction for a list: by the ids of its communes (core.scoping.visible_commune_ids)
    rather than a join on the units' paths, whose selectivity neither database can estimate. A commune user's list
    took 0.8 s on SQLite (a walk of the whole name index checking each person's commune) and 0.2 ms this way."""
    ids = visible_commune_ids(user)
    if ids is None:
        return visible_people(user)
    return Person.objects.filter(merged_into__isnull=True, commune_id__in=sorted(ids))


def _filtered_people(request):
    qs = _listed_people(request.user).select_related("commune", "village")
    if request.GET.get("commune", "").isdigit():
        # A commune of either structure, with the communes that roll up into it (geo.areas): a 2025 commune's
        # list holds the people still recorded on the pre-2025 communes it took over.
        qs = qs.filter(areas.unit_filter_q(request.GET["commune"], "commune"))
    if request.GET.get("village", "").isdigit():
        qs = qs.filter(village_id=request.GET["village"])
    return qs


@role_required(HEALTH_READERS)
def person_list(request):
    qs = _filtered_people(request)
    q = request.GET.get("q", "")
    if q.strip():
        page = services.search_page(qs, q, request.GET.get("page"))
    else:
        ordered = qs.order_by("name_folded", "id")
        filtered = any(request.GET.get(k, "").isdigit() for k in ("commune", "village"))
        paginator = (Paginator(ordered, 25) if filtered
                     else KnownCountPaginator(ordered, 25, known_count=visible_people_count(request.user)))
        page = paginator.get_page(request.GET.get("page"))
    structure = areas.structure_from_request(request)
    # Each person's commune, and on today's map the one it rolls up to (one query for the page).
    page.object_list = areas.label_records(page.object_list, "commune", structure)
    context = {
        "page_obj": page, "q": q, "can_edit": request.user.has_role(PERSON_EDITORS), "structure": structure,
        "communes": areas.communes_for_picker(visible_units(request.user), structure)[:500],
        # Pages keep the search and the filters (URL-encoded: names have spaces and diacritics).
        "querystring_prefix": "".join(
            f"{urlencode({k: request.GET[k]})}&" for k in ("q", "commune", "village", "structure") if request.GET.get(k)
        ),
    }
    template = "people/_results.html" if request.htmx else "people/list.html"
    return render(request, template, context)


@role_required(PERSON_EDITORS)
def person_export(request):
    """CSV of the people the list shows (same search and filters), audited with every record that left."""
    from core.exports import csv_response

    qs = services.search_people(_filtered_people(request), request.GET.get("q", ""))
    columns, rows = services.export_people(by=request.user, qs=qs, note=request.GET.urlencode()[:500])
    return csv_response("nguoi-dan.csv", columns, rows)


@role_required(HEALTH_READERS)
def person_detail(request, pk):
    person = scoped_object(request, Person.objects.select_related("commune", "village"), pk=pk)
    record_read(by=request.user, obj=person)
    return render(request, "people/detail.html", {"person": person, "can_edit": request.user.has_role(PERSON_EDITORS)})


def _form_data(form):
    return {k: v for k, v in form.cleaned_data.items() if k not in ("version", "confirm_not_duplicate")}


@role_required(PERSON_EDITORS)
def person_create(request):
    form = PersonForm(request.POST or None, user=request.user)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = _form_data(form)
        duplicates = list(scope(services.possible_duplicates(
            full_name=data["full_name"], birth_year=data["birth_year"], commune=data["commune"], date_of_birth=data.get("date_of_birth")
        ), request.user)[:10])
        if duplicates and not form.cleaned_data.get("confirm_not_duplicate"):
            form.add_error(None, _("Có thể trùng với hồ sơ đã có. Hãy kiểm tra danh sách dưới đây."))
        else:
            try:
                person = services.create_person(by=request.user, data=data)
            except services.DuplicateId as exc:
                form.add_error("id_number", str(exc))
            except Invalid as exc:
                form.add_error(exc.field or None, str(exc))
            else:
                messages.success(request, _("Đã thêm hồ sơ."))
                return redirect("people:detail", pk=person.pk)
    return render(request, "people/form.html", {"form": form, "duplicates": duplicates, "creating": True})


@role_required(PERSON_EDITORS)
def person_edit(request, pk):
    person = scoped_object(request, Person, pk=pk)
    form = PersonForm(request.POST or None, instance=Person.objects.get(pk=person.pk), user=request.user)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = _form_data(form)
        try:
            services.update_person(by=request.user, person=person, data=data, expected_version=int(request.POST.get("version") or 0))
        except EditConflict as exc:
            conflict = exc
            form = PersonForm(request.POST, instance=exc.current, user=request.user)
            form.is_valid()
            form.data = form.data.copy()
            form.data["version"] = exc.current.version
        except services.DuplicateId as exc:
            form.add_error("id_number", str(exc))
        except Invalid as exc:
            form.add_error(exc.field or None, str(exc))
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/form.html", {"form": form, "person": person, "conflict": conflict})


@role_required(PERSON_EDITORS)
def duplicates(request):
    """Proposed duplicates in the user's jurisdiction (same folded name, birth year and commune), and merging."""
    people = visible_people(request.user)
    groups = (
        people.values("commune_id", "name_folded", "birth_year")
        .annotate(n=Count("id")).filter(n__gt=1).order_by("-n", "name_folded")[:50]
    )
    candidates = []
    for g in groups:
        candidates.append(list(people.filter(**{k: g[k] for k in ("commune_id", "name_folded", "birth_year")}).select_related("commune", "village")))
    form = MergeForm(request.POST or None, queryset=people)
    if request.method == "POST" and form.is_valid():
        try:
            keep = services.merge_people(by=request.user, keep=form.cleaned_data["keep"], duplicate=form.cleaned_data["duplicate"])
        except Invalid as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã gộp hồ sơ."))
            return redirect("people:detail", pk=keep.pk)
    return render(request, "people/duplicates.html", {"groups": candidates, "form": form})


def villages_for_commune(request):
    """HTMX: the village options of a commune, for the person form."""
    communes = visible_units(request.user).filter(level=Level.COMMUNE)
    villages = Village.objects.filter(commune__in=communes, commune_id=request.GET.get("commune") or 0)
    return render(request, "people/_village_options.html", {"villages": villages})
