"""Imports in the background: one recorded batch per uploaded file, with progress, heartbeat and a final report.

An app registers each kind of import once (`register_import`, from its AppConfig.ready) with a runner: a function
`runner(batch, data: bytes, progress) -> core.imports.ImportResult` that raises FileRejected for a file it refuses.
The upload page calls `start_import`, which stores the file under VAR_DIR/imports (never in the served media),
records the batch and hands it to `core.jobs.enqueue` (Celery with Redis, a thread otherwise, inline in tests).

The worker claims the batch, beats its heart while it runs (a thread writing `heartbeat_at` and the rows done), and
records the report: counts, the first ERRORS_SHOWN rows in error and every one of them in a CSV next to the upload.
A batch still "running" whose heartbeat is older than PHONGDICH_IMPORT_STALE_MINUTES lost its worker (a recycled
process, a killed container): `mark_stale` marks it failed, and its owner can retry it from its page.
"""
import datetime as dt
import importlib
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import F, Q
from django.utils import timezone

from .exports import SafeWriter
from .imports import FileRejected, ImportResult
from .models import ImportBatch
from .uploads import max_upload_bytes, too_large_messages

log = logging.getLogger(__name__)

ERRORS_SHOWN = 200  # rows in error stored on the batch and shown on the page; the CSV has them all
HEARTBEAT_SECONDS = 15
Status = ImportBatch.Status


@dataclass(frozen=True)
class ImportKind:
    kind: str
    label: str  # Vietnamese (translated where shown)
    runner: str  # dotted path of runner(batch, data, progress) -> ImportResult
    page: str  # URL name of the upload page


KINDS: dict[str, ImportKind] = {}


def register_import(kind: str, label: str, runner: str, *, page: str) -> None:
    KINDS[kind] = ImportKind(kind, label, runner, page)


def stale_after() -> dt.timedelta:
    return dt.timedelta(minutes=getattr(settings, "PHONGDICH_IMPORT_STALE_MINUTES", 10))


def import_dir() -> Path:
    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# -- starting ---------------------------------------------------------------------------------------------------------
def start_import(*, kind: str, by, upload, options: dict | None = None) -> ImportBatch:
    """Record a batch for an uploaded file (written to disk chunk by chunk, never read whole) and queue it."""
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind}")
    batch = ImportBatch.objects.create(kind=kind, file_name=Path(upload.name).name[:255], created_by=by,
                                       options=options or {}, file_size=upload.size or 0)
    if (upload.size or 0) > max_upload_bytes():  # a chunked upload the middleware could not measure
        vi, en = too_large_messages()
        _finish(batch, Status.REJECTED, report={"rejected_vi": vi, "rejected_en": en})
        batch.refresh_from_db()
        return batch
    path = import_dir() / f"{batch.pk}{Path(upload.name).suffix.lower()[:8]}"
    with open(path, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    ImportBatch.objects.filter(pk=batch.pk).update(file_path=str(path))
    _enqueue(batch.pk)
    batch.refresh_from_db()
    return batch


def _enqueue(batch_id: int) -> None:
    from .jobs import enqueue

    enqueue("core.batches.run_batch", batch_id=batch_id)


def retry(batch: ImportBatch, *, by) -> bool:
    """Queue a failed batch again (its owner only, and only while its file is kept)."""
    claimed = claim_retry(batch, by=by, queued=Status.QUEUED,
                          reset={"rows_done": 0, "heartbeat_at": None, "finished_at": None, "report": {}})
    if claimed:
        _enqueue(batch.pk)
    return claimed


def claim_retry(batch, *, by, queued: str, reset: dict) -> bool:
    """Put a failed batch back in the queue (any batch model with status, created_by and file_path): its owner only,
    only while its file is kept; audited. The caller enqueues its job when this returns True."""
    if batch.created_by_id != by.pk or batch.status != "failed" or not batch.file_path or not Path(batch.file_path).exists():
        return False
    claimed = type(batch).objects.filter(pk=batch.pk, status="failed").update(status=queued, **reset)
    if claimed:
        from core.auditing import record

        record(actor=by, action="update", target_label=batch._meta.label_lower, note=f"import batch {batch.pk} retried")
    return bool(claimed)


# -- running ----------------------------------------------------------------------------------------------------------
class Heartbeat(threading.Thread):
    """Writes a running batch's heartbeat (and whatever `fields()` returns, e.g. rows done) from its own connection,
    so that both show even while the import holds a long transaction; it dies with the worker, which is exactly what
    a stale heartbeat tells. Shared by every batch model with `status` "running" and `heartbeat_at` (core.ImportBatch,
    vaccination.ImportBatch)."""

    def __init__(self, model, batch_id: int, fields):
        super().__init__(daemon=True, name=f"import-heartbeat:{model._meta.label_lower}:{batch_id}")
        self.model, self.batch_id, self.fields, self.stopped = model, batch_id, fields, threading.Event()

    def run(self):
        try:
            while not self.stopped.wait(HEARTBEAT_SECONDS):
                try:
                    self.model.objects.filter(pk=self.batch_id, status="running").update(
                        heartbeat_at=timezone.now(), **self.fields())
                except DatabaseError:  # a locked SQLite database: the next beat tries again
                    log.warning("import batch %s: heartbeat not written", self.batch_id, exc_info=True)
        finally:
            connection.close()


def start_heartbeat(model, batch_id: int, fields) -> Heartbeat | None:
    """Start a batch's heartbeat thread (none in tests, where the import runs inline); stop it with `.stopped.set()`."""
    if settings.TESTING:
        return None
    beat = Heartbeat(model, batch_id, fields)
    beat.start()
    return beat


def run_batch(*, batch_id: int) -> None:
    """The job: claim a queued batch, run its kind's importer and record the report (never raises for bad input)."""
    now = timezone.now()
    claimed = ImportBatch.objects.filter(pk=batch_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return  # already taken by another worker, or not queued any more
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    state = {"done": 0, "total": 0}

    def progress(done, total):
        state["done"], state["total"] = done, total

    beat = start_heartbeat(ImportBatch, batch_id, lambda: {"rows_done": state["done"], "rows_total": state["total"]})
    try:
        runner = _resolve(KINDS[batch.kind].runner)
        data = Path(batch.file_path).read_bytes()
        result = runner(batch, data, progress)
    except FileRejected as exc:
        _finish(batch, Status.REJECTED, report={"rejected_vi": exc.message_vi, "rejected_en": exc.message_en})
    except Exception:
        # The page says what happened in words; the trace goes to the log, never to the user.
        log.exception("import batch %s (%s) failed", batch_id, batch.kind)
        _finish(batch, Status.FAILED, keep_file=True, report={
            "failed_vi": "Lỗi hệ thống khi nhập; chưa lưu gì. Có thể thử lại.",
            "failed_en": "A system error stopped the import; nothing was saved. It can be retried."})
    else:
        _finish(batch, Status.DONE if result.saved else Status.REJECTED, result=result)
    finally:
        if beat:
            beat.stopped.set()


def _resolve(path: str):
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _finish(batch: ImportBatch, status: str, *, result: ImportResult | None = None, report: dict | None = None,
            keep_file: bool = False) -> None:
    fields = {"status": status, "finished_at": timezone.now(), "heartbeat_at": timezone.now(), "report": report or {}}
    if result is not None:
        errors = [e.as_dict() for e in result.errors]
        fields.update(rows_total=result.total_rows, rows_done=result.total_rows, imported=result.imported,
                      skipped_duplicates=result.skipped_duplicates, error_count=len(errors), saved=result.saved,
                      errors=errors[:ERRORS_SHOWN],
                      report={"notes": result.notes, "skipped": [s.as_dict() for s in result.skipped[:ERRORS_SHOWN]],
                              "skipped_count": len(result.skipped), "extra": result.extra})
        if len(errors) > ERRORS_SHOWN or result.skipped:
            fields["errors_path"] = _write_errors(batch, errors, result.skipped)
    if not keep_file and batch.file_path:
        Path(batch.file_path).unlink(missing_ok=True)  # personal data: the upload is kept no longer than its import
        fields["file_path"] = ""
    ImportBatch.objects.filter(pk=batch.pk).update(**fields)


def _write_errors(batch: ImportBatch, errors: list[dict], skipped) -> str:
    """Every row in error (and every row skipped as already present) as CSV, UTF-8 with BOM for Excel."""
    path = import_dir() / f"{batch.pk}-loi.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        w = SafeWriter(out)
        w.writerow(["Dòng/Line", "Cột/Column", "Lý do", "Reason"])
        for e in errors:
            w.writerow([e["line"], e["column"] or "", _cell(e["message_vi"]), _cell(e["message_en"])])
        for s in skipped:
            w.writerow([s.line, s.column or "", _cell(s.message_vi), _cell(s.message_en)])
    return str(path)


def _cell(text: str) -> str:
    # A message may quote the user's cell: never let a spreadsheet read it as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


# -- workers that died ------------------------------------------------------------------------------------------------
STALE_VI = "Tiến trình nhập đã dừng giữa chừng (máy chủ khởi động lại?); chưa lưu gì. Có thể thử lại."
STALE_EN = "The import stopped half-way (the server restarted?); nothing was saved. It can be retried."


def _stuck(model, queued: str, limit):
    """Batches whose worker is gone: running with a heartbeat older than `limit` (or none at all since before it,
    as batches recorded before heartbeats existed), or queued since before it and never started."""
    running = model.objects.filter(status="running").filter(
        Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True, created_at__lt=limit))
    waiting = model.objects.filter(status=queued, created_at__lt=limit)
    return running, waiting


def fail_stale(model, *, queued: str, fields: dict) -> list[int]:
    """Mark failed the batches of `model` whose worker died, with `fields` (the words saying so); their file is kept
    so that their owner can retry. Returns their ids."""
    limit = timezone.now() - stale_after()
    running, waiting = _stuck(model, queued, limit)
    ids = list(running.values_list("pk", flat=True)) + list(waiting.filter(started_at__isnull=True).values_list("pk", flat=True))
    if ids:
        model.objects.filter(pk__in=ids, status__in=["running", queued]).update(
            status="failed", finished_at=timezone.now(), **fields)
        log.warning("%s batches %s lost their worker: marked failed", model._meta.label_lower, ids)
    return ids


def batch_health(model, *, queued: str) -> dict:
    """For /healthz/: counts and ids only, no personal data. Not ok while a batch is stuck (its worker is gone)."""
    limit = timezone.now() - stale_after()
    running, waiting = _stuck(model, queued, limit)
    stuck = list(running.values_list("pk", flat=True)[:50]) + list(waiting.values_list("pk", flat=True)[:50])
    day = timezone.now() - dt.timedelta(days=1)
    failed = list(model.objects.filter(status="failed", finished_at__gte=day).values_list("pk", flat=True)[:50])
    return {
        "ok": not stuck,
        "running": model.objects.filter(status="running").count(),
        "queued": model.objects.filter(status=queued).count(),
        "stuck": sorted(stuck),
        "failed_last_24h": sorted(failed),
    }


def mark_stale() -> list[int]:
    """core.ImportBatch batches whose worker died (running with an old heartbeat, or queued and never picked up):
    marked failed, their file kept so that their owner can retry. Returns their ids."""
    return fail_stale(ImportBatch, queued=Status.QUEUED, fields={"report": {"failed_vi": STALE_VI, "failed_en": STALE_EN}})


def health_check() -> dict:
    return batch_health(ImportBatch, queued=Status.QUEUED)
