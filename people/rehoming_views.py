"""Pages of the re-homing flow: the runs (province-wide users) and the review list (commune and regional users)."""
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import Invalid
from core.roles import PERSON_EDITORS
from core.scoping import scope
from core.text import fold
from core.views import role_required
from geo.models import AdministrativeUnit, Structure

from . import rehoming
from .models import RehomingMove, RehomingRun, province_wide

PAGE_SIZE = 50


@role_required(PERSON_EDITORS)
def runs(request):
    if not province_wide(request.user):
        raise PermissionDenied
    if request.method == "POST":
        try:
            rehoming.start_run(by=request.user)
        except Invalid as exc:
            messages.error(request, exc.in_language())
        else:
            messages.success(request, _("Đã bắt đầu chuyển địa bàn; trang này cho biết khi nào xong."))
        return redirect("people:rehoming_runs")
    items = scope(RehomingRun.objects.select_related("created_by", "undone_by"), request.user)[:50]
    pending = rehoming.counts_by_state(request.user)
    return render(request, "people/rehoming_runs.html", {"runs": items, "pending_total": sum(pending.values())})


@require_POST
@role_required(PERSON_EDITORS)
def undo(request, pk):
    if not province_wide(request.user):
        raise PermissionDenied
    run = get_object_or_404(scope(RehomingRun.objects.all(), request.user), pk=pk)
    try:
        back = rehoming.undo_run(run=run, by=request.user)
    except Invalid as exc:
        messages.error(request, exc.in_language())
    else:
        messages.success(request, _("Đã hoàn tác: %(n)s người trở về xã/phường trước 01/07/2025.") % {"n": f"{back:,}".replace(",", ".")})
    return redirect("people:rehoming_runs")


def _review_rows(request):
    qs = rehoming.review_queryset(request.user).select_related("person", "person__village", "old_commune", "new_commune")
    old = request.GET.get("old_commune", "")
    if old.isdigit():
        qs = qs.filter(old_commune_id=old)
    state = request.GET.get("state", "")
    if state in (RehomingMove.State.PROPOSED, RehomingMove.State.UNRESOLVED):
        qs = qs.filter(state=state)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(person__name_folded__contains=fold(q))
    return qs.order_by("old_commune__name", "person__name_folded", "id")


@role_required(PERSON_EDITORS)
def review(request):
    """The people of the user's jurisdiction whose 2025 commune is uncertain or unknown; bulk decisions."""
    if request.method == "POST":
        ids = [int(x) for x in request.POST.getlist("move") if x.isdigit()][:PAGE_SIZE * 4]
        try:
            if request.POST.get("action") == "accept":
                n = rehoming.decide(by=request.user, move_ids=ids, accept_proposal=True)
            else:
                new = request.POST.get("new_commune", "")
                commune = (AdministrativeUnit.objects.filter(pk=new, structure=Structure.FROM_2025, level="commune").first()
                           if new.isdigit() else None)
                n = rehoming.decide(by=request.user, move_ids=ids, new_commune=commune)
        except Invalid as exc:
            messages.error(request, exc.in_language())
        else:
            messages.success(request, _("Đã chuyển %(n)s người sang xã/phường mới.") % {"n": n})
        return redirect(f"{request.path}?{request.GET.urlencode()}")
    page = Paginator(_review_rows(request), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    pending_olds = rehoming.review_queryset(request.user).values_list("old_commune_id", flat=True).distinct()
    old_ids = set(pending_olds[:500])
    choices = rehoming.successor_choices(old_ids)
    for m in rows:
        m.successors = choices.get(m.old_commune_id, [])
    new_communes = sorted({u for units in choices.values() for u in units}, key=lambda u: u.name)
    context = {
        "page_obj": page, "rows": rows, "counts": rehoming.counts_by_state(request.user),
        "old_communes": AdministrativeUnit.objects.filter(pk__in=old_ids).order_by("name"),
        "new_communes": new_communes, "q": request.GET.get("q", ""),
        "states": [(s, label) for s, label in RehomingMove.State.choices if s in rehoming.PENDING],
        "querystring_prefix": "".join(
            f"{urlencode({k: request.GET[k]})}&" for k in ("q", "old_commune", "state") if request.GET.get(k)),
        "can_run": province_wide(request.user),
    }
    return render(request, "people/rehoming_review.html", context)
