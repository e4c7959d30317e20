"""Reads of the case registry for other apps."""
from django.db.models import Count

from .choices import CareSetting, Status
from .models import Case


def active_home_cases_by_commune(commune_ids) -> dict[int, int]:
    """Active home-care F0 per commune (supplies' need-based allocation): one grouped query."""
    rows = (Case.objects.filter(status=Status.ACTIVE, care_setting=CareSetting.HOME, commune_id__in=list(commune_ids))
            .values("commune_id").annotate(n=Count("id")).order_by())
    return {r["commune_id"]: r["n"] for r in rows}


# --- the field app's worklist (fieldapp.sync) ------------------------------------------------------------------------
def field_patients(user, *, since=None, team_ids=None):
    """Active home-care cases the user may see (core.scoping), of his teams when he belongs to any; with `since`,
    only those changed after it (the case, its person, a check recorded or an alert raised or acknowledged)."""
    from django.db.models import Exists, OuterRef, Q

    from core.scoping import scope

    from .models import Alert, Check

    qs = scope(Case.objects.filter(status=Status.ACTIVE, care_setting=CareSetting.HOME), user)
    if team_ids:
        qs = qs.filter(team_id__in=list(team_ids))
    if since is not None:
        qs = qs.filter(
            Q(updated_at__gt=since) | Q(person__updated_at__gt=since)
            | Exists(Check.objects.filter(case=OuterRef("pk"), recorded_at__gt=since))
            | Exists(Alert.objects.filter(case=OuterRef("pk")).filter(Q(raised_at__gt=since) | Q(acknowledged_at__gt=since)))
        )
    return qs


def field_patient_rows(case_ids, *, checks_per_case: int = 3) -> dict:
    """The worklist fields of these cases, their last checks and open alerts: three queries, never one per case."""
    from .models import Alert, Check

    rows = {}
    for c in (Case.objects.filter(pk__in=list(case_ids)).order_by("pk")
              .values("pk", "version", "confirmed_on", "severity", "symptom_onset", "release_due_on", "last_check_at",
                      "team_id", "person_id", "person__version", "person__full_name", "person__birth_year",
                      "person__date_of_birth", "person__sex", "person__phone", "person__street",
                      "person__village__name", "person__commune__name")):
        rows[c["pk"]] = {
            "id": c["pk"], "version": c["version"], "confirmed_on": c["confirmed_on"], "severity": c["severity"],
            "symptom_onset": c["symptom_onset"], "release_due_on": c["release_due_on"], "last_check_at": c["last_check_at"],
            "person": {"id": c["person_id"], "version": c["person__version"], "full_name": c["person__full_name"],
                       "birth_year": c["person__birth_year"], "date_of_birth": c["person__date_of_birth"],
                       "sex": c["person__sex"], "phone": c["person__phone"], "street": c["person__street"],
                       "village": c["person__village__name"] or "", "commune": c["person__commune__name"]},
            "checks": [], "alerts": [],
        }
    if not rows:
        return rows
    # The last few checks of each case: a window function where the database has one (both SQLite and PostgreSQL).
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    ranked = (Check.objects.filter(case_id__in=list(rows))
              .annotate(n=Window(RowNumber(), partition_by=[F("case_id")], order_by=[F("taken_at").desc(), F("id").desc()]))
              .values("id", "case_id", "taken_at", "spo2", "respiratory_rate", "pulse", "temperature", "systolic",
                      "diastolic", "symptoms", "warning_signs", "n"))
    for ch in ranked:
        if ch["n"] <= checks_per_case:
            ch.pop("n")
            rows[ch["case_id"]]["checks"].append(ch)
    for a in (Alert.objects.filter(case_id__in=list(rows), acknowledged_at__isnull=True)
              .values("id", "case_id", "raised_at", "message", "source")):
        rows[a["case_id"]]["alerts"].append(a)
    return rows
