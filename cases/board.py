""""Nobody left unreachable" (seed 002, item 7): home patients with no check in 12 h, alerts not acknowledged within
1 h, patients with no care team, no medicine within 24 h of confirmation, release tests due today.

The limits are data: each case is judged by its own disease's monitoring rule in force today (COVID-19 12 h, dengue
24 h), in the same single query (per_disease_q). Counts are grouped per care team, health station, commune
or district, always over the caller's jurisdiction (core.scoping).
"""
import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import scope

from .choices import CareSetting, Status
from .models import Alert, Case

METRICS = [
    ("no_check", _("Không có phiếu theo dõi đúng hạn")),  # each disease's no_check_hours (COVID-19 12 h, dengue 24 h)
    ("unacknowledged", _("Cảnh báo chưa được tiếp nhận sau 1 giờ")),
    ("no_team", _("Chưa có tổ chăm sóc")),
    ("no_medicine", _("Chưa được cấp thuốc sau 24 giờ")),
    ("release_due", _("Đến hạn xét nghiệm khỏi bệnh")),
]
METRIC_KEYS = [k for k, _l in METRICS]

GROUPS = {
    "team": ("team_id", "team__name"),
    "station": ("station_id", "station__name"),
    "commune": ("commune_id", "commune__name"),
    "district": ("commune__parent_id", "commune__parent__name"),
}


LIMIT_KEYS = ("no_check_hours", "ack_within_minutes", "medicine_within_hours", "checks_per_day")


def limits(on: dt.date) -> dict:
    """The monitoring rule in force on `on` for every disease (dengue 24 h, COVID-19 12 h…): `diseases` lists each
    disease's values; the top-level values are the default disease's (what a single-disease installation shows).
    A disease with no monitoring rule on that day is watched at the default disease's cadence rather than dropped
    from the board (its gap is refused where its cases are written)."""
    from core.errors import Invalid
    from diseases.selectors import all_diseases, default_disease

    from .services import _rule  # the per-process cache of the version in force

    default = _rule("monitoring", on, default_disease())
    per = []
    for d in all_diseases():
        try:
            rule = _rule("monitoring", on, d)
        except Invalid:
            rule = default
        per.append({"id": d.pk, "disease": d, "rule": rule, **{k: rule.value(k) for k in LIMIT_KEYS}})
    return {**{k: default.value(k) for k in LIMIT_KEYS}, "rule": default, "diseases": per}


def per_disease_q(lim: dict, key: str, cond, prefix: str = "") -> Q:
    """Set-based per-disease condition: `cond(value)` for the cases of the diseases whose rule has that value of
    `key`, OR-ed over the distinct values (one query whatever the number of diseases; no disease filter at all when
    every disease agrees). A disease whose rule leaves `key` empty matches nothing."""
    groups: dict = {}
    for e in lim.get("diseases") or [{"id": None, key: lim[key]}]:
        groups.setdefault(e[key], []).append(e["id"])
    if len(groups) == 1:
        [(value, _ids)] = groups.items()
        return cond(value) if value else Q(pk__in=[])
    q = Q(pk__in=[])
    for value, ids in groups.items():
        if value:
            q |= Q(**{f"{prefix}disease_id__in": ids}) & cond(value)
    return q


def due_today_q(now: dt.datetime, lim: dict) -> Q:
    """Home patients whose next check (their disease's monitoring cadence after the last one) falls due before
    midnight."""
    end = dt.datetime.combine(timezone.localdate(now) + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone())

    def cond(per_day):
        cutoff = end - dt.timedelta(hours=24 / float(per_day))
        return Q(last_check_at__lt=cutoff) | Q(last_check_at__isnull=True)

    return per_disease_q(lim, "checks_per_day", cond)


def due_today(user, now: dt.datetime | None = None):
    """Active home patients with a check due today (overdue ones included), in the user's jurisdiction."""
    now = now or timezone.now()
    return active_home(user).filter(due_today_q(now, limits(timezone.localdate(now))))


def active_home(user, disease: str | None = None):
    """Active home patients in the user's jurisdiction; of one disease (its code) when given."""
    qs = Case.objects.filter(status=Status.ACTIVE, care_setting=CareSetting.HOME)
    return scope(qs.filter(disease__code=disease) if disease else qs, user)


def metric_filter(metric: str, now: dt.datetime, lim: dict) -> Q:
    if metric == "no_check":
        def cond(hours):
            cutoff = now - dt.timedelta(hours=hours)
            return Q(last_check_at__lt=cutoff) | Q(last_check_at__isnull=True, created_at__lt=cutoff)

        return per_disease_q(lim, "no_check_hours", cond)
    if metric == "no_team":
        return Q(team__isnull=True)
    if metric == "no_medicine":
        return per_disease_q(lim, "medicine_within_hours", lambda hours: Q(
            first_medicine_at__isnull=True, created_at__lt=now - dt.timedelta(hours=hours)))
    if metric == "release_due":
        # Due today or overdue and not yet released.
        return Q(release_due_on__lte=timezone.localdate(now))
    raise KeyError(metric)


def open_alerts(user, now: dt.datetime, lim: dict, disease: str | None = None):
    late = per_disease_q(lim, "ack_within_minutes", lambda minutes: Q(raised_at__lt=now - dt.timedelta(minutes=minutes)),
                         prefix="case__")
    qs = Alert.objects.filter(late, acknowledged_at__isnull=True, case__status=Status.ACTIVE)
    return scope(qs.filter(case__disease__code=disease) if disease else qs, user)


def metric_cases(user, metric: str, now: dt.datetime | None = None, disease: str | None = None):
    """The cases behind one count, for the drill-down list."""
    now = now or timezone.now()
    lim = limits(timezone.localdate(now))
    if metric == "unacknowledged":
        ids = open_alerts(user, now, lim, disease).values("case_id")
        return scope(Case.objects.filter(pk__in=ids), user)
    return active_home(user, disease).filter(metric_filter(metric, now, lim))


def board(user, group: str = "commune", now: dt.datetime | None = None, structure: str | None = None,
          disease: str | None = None) -> dict:
    """Counts per group. Per commune, on `structure` ("Theo địa giới", default: the installation's, today's map): a
    case on a pre-2025 commune counts in its default 2025 successor (geo.areas.rollup_counts); cases keep their unit."""
    from geo import areas

    structure = structure or areas.installation_structure()
    now = now or timezone.now()
    lim = limits(timezone.localdate(now))
    key_field, label_field = GROUPS[group]
    rows: dict = {}

    def add(qs, metric, key_f, label_f):
        for r in qs.values(key_f, label_f).annotate(n=Count("id", distinct=True)).order_by():
            row = rows.setdefault(r[key_f], {"key": r[key_f], "label": r[label_f] or "—", **{m: 0 for m in METRIC_KEYS}, "active": 0})
            row[metric] = r["n"]

    base = active_home(user, disease)
    aggregates = {m: Count("id", filter=metric_filter(m, now, lim)) for m in METRIC_KEYS if m != "unacknowledged"}
    for r in base.values(key_field, label_field).annotate(active=Count("id"), **aggregates).order_by():
        rows[r[key_field]] = {"key": r[key_field], "label": r[label_field] or "—", "unacknowledged": 0,
                              **{m: r[m] for m in aggregates}, "active": r["active"]}
    add(open_alerts(user, now, lim, disease), "unacknowledged", f"case__{key_field}", f"case__{label_field}")
    if group == "commune":
        rows = _on_structure(rows, structure)
    ordered = sorted(rows.values(), key=lambda r: (-sum(r[m] for m in METRIC_KEYS), str(r["label"])))
    totals = {m: sum(r[m] for r in ordered) for m in [*METRIC_KEYS, "active"]}
    return {"rows": ordered, "totals": totals, "limits": lim, "group": group, "now": now, "structure": structure,
            "disease": disease or ""}


def _on_structure(rows: dict, structure: str) -> dict:
    """Per-commune rows regrouped on the communes of `structure` (two queries whatever the number of communes)."""
    from geo import areas

    fields = [*METRIC_KEYS, "active"]
    counts = areas.rollup_counts({k: {f: r[f] for f in fields} for k, r in rows.items() if k is not None}, structure)
    names = areas.unit_names(counts.keys())
    out = {k: {"key": k, "label": names.get(k) or "—", **v} for k, v in counts.items()}
    if None in rows:
        out[None] = rows[None]
    return out
