from django.core.paginator import Paginator
from django.shortcuts import render

from core.roles import AUDIT_READERS
from core.views import role_required

from .models import AuditEvent


@role_required(AUDIT_READERS)
def audit_list(request):
    """Administrators search the trail by person, user, action, record or date."""
    qs = AuditEvent.objects.select_related("actor")
    f = request.GET
    if f.get("person", "").strip().lstrip("#").isdigit():
        qs = qs.filter(person_id__in=_with_merged(int(f["person"].strip().lstrip("#"))))
    if f.get("actor"):
        qs = qs.filter(actor_label__icontains=f["actor"])
    if f.get("action"):
        qs = qs.filter(action=f["action"])
    if f.get("target"):
        qs = qs.filter(target_label__icontains=f["target"])
    if f.get("since"):
        from core.parsing import ParseError, parse_date

        try:
            qs = qs.filter(at__date__gte=parse_date(f["since"]))
        except ParseError:
            pass
    page = Paginator(qs, 50).get_page(f.get("page"))
    from .models import Action

    return render(request, "audit/list.html", {"page_obj": page, "actions": Action.choices})


def _with_merged(person_id: int) -> set[int]:
    """The person and every record merged into it (from the merge events): a merge keeps the whole trail findable."""
    ids, todo = {person_id}, [person_id]
    while todo and len(ids) < 100:
        records = AuditEvent.objects.filter(action="merge", person_id=todo.pop()).values_list("records", flat=True)
        for r in records:
            merged = r.get("merged") if isinstance(r, dict) else None
            if isinstance(merged, int) and merged not in ids:
                ids.add(merged)
                todo.append(merged)
    return ids
