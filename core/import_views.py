"""Pages of a background import batch (core.batches): progress polled with HTMX, the final report, the full error
list as CSV, and a retry of a batch whose worker died. Each app's upload page renders the same partial."""
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .batches import KINDS, mark_stale, retry
from .models import ImportBatch
from .scoping import get_for_user, scope


def _batch(request, pk) -> ImportBatch:
    mark_stale()  # a batch whose worker died shows as failed (and retryable) as soon as someone looks
    return get_for_user(ImportBatch.objects.select_related("created_by"), request.user, pk=pk)


@login_required
def batch_list(request):
    mark_stale()
    batches = list(scope(ImportBatch.objects.all(), request.user).filter(created_by=request.user)[:50])
    for b in batches:
        b.kind_label = KINDS[b.kind].label if b.kind in KINDS else ""
    return render(request, "core/import_batches.html", {"batches": batches})


@login_required
def batch_detail(request, pk):
    batch = _batch(request, pk)
    template = "core/_import_batch.html" if request.htmx else "core/import_batch.html"
    return render(request, template, {"batch": batch, "kind": KINDS.get(batch.kind)})


@login_required
def batch_errors(request, pk):
    """Every row in error, as CSV (the page shows only the first ones)."""
    batch = _batch(request, pk)
    name = f"loi-nhap-{batch.pk}.csv"
    if batch.errors_path and Path(batch.errors_path).exists():
        return FileResponse(open(batch.errors_path, "rb"), as_attachment=True, filename=name,
                            content_type="text/csv; charset=utf-8")
    if not batch.finished:
        raise Http404
    from .batches import _cell
    from .exports import SafeWriter

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")
    w = SafeWriter(response)
    w.writerow(["Dòng/Line", "Cột/Column", "Lý do", "Reason"])
    for e in batch.errors:
        w.writerow([e["line"], e["column"] or "", _cell(e["message_vi"]), _cell(e["message_en"])])
    return response


@login_required
@require_POST
def batch_retry(request, pk):
    batch = _batch(request, pk)
    if not retry(batch, by=request.user):
        raise Http404  # not the owner's, not failed, or its file is gone
    return redirect("core:import_batch", pk=batch.pk)
