"""Write functions of the case registry. Views, API, importers, the self-report page and jobs all call these;
each runs in one transaction and writes its audit row there.
"""
import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from audit.services import diff, event, record
from core.concurrency import touched, update_versioned
from core.errors import Invalid
from diseases import classification as classify
from diseases.rules import get_disease, in_force, why
from facilities.models import BedType, Facility
from geo.eras import check_unit_on
from vaccination import selectors as vaccination_selectors

from . import fastpath_check, rules
from .choices import CareSetting, DetectedIn, Status, TestKind, VaccinationStatus
from .models import (
    Admission,
    Alert,
    Case,
    CaseEvent,
    Check,
    Dispensing,
    RecoveryCertificate,
    SupportRecord,
    Transfer,
    new_token,
)
from .signals import medicine_dispensed


def _local_date(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()


def _rule(kind: str, on: dt.date, disease=None):
    """The version in force, from the shared rule cache of diseases.rules (a gap is a NoRuleInForce, an Invalid)."""
    return in_force(disease, kind, on)


def _event_row(case: Case, kind: str, text: str, by=None, at: dt.datetime | None = None) -> CaseEvent:
    """A timeline entry, unsaved."""
    return CaseEvent(case=case, kind=kind, text=text[:300], by=by if getattr(by, "pk", None) else None, at=at or timezone.now())


def _event(case: Case, kind: str, text: str, by=None, at: dt.datetime | None = None) -> CaseEvent:
    ev = _event_row(case, kind, text, by, at)
    ev.save(force_insert=True)
    return ev


def _age(case: Case, on: dt.date) -> int | None:
    return case.person.age_on(on)


# --- opening a case ----------------------------------------------------------------------------------------------
def default_station(commune) -> Facility | None:
    return Facility.objects.filter(unit=commune, kind=Facility.Kind.COMMUNE_HEALTH_STATION, is_active=True).order_by("id").first()


def release_rule_for(case: Case):
    """The release rule is judged on the day of confirmation (documented in docs/rules.md)."""
    return _rule("release", case.confirmed_on, case.disease.code)


def compute_release_due(case: Case) -> dt.date:
    rule = release_rule_for(case)
    earliest, latest = rules.release_dates(rule, confirmed_on=case.confirmed_on, fully_vaccinated=case.is_fully_vaccinated)
    return latest if case.release_test_result == "positive" else earliest


@transaction.atomic
def open_case(*, by, person, confirmed_on: dt.date, test_kind: str = TestKind.RAPID_ANTIGEN,
              detected_in: str = DetectedIn.COMMUNITY, commune=None, disease=None,
              care_setting: str = CareSetting.HOME, test_place: str = "", symptom_onset: dt.date | None = None,
              severity: str = "mild", vaccination_status: str | None = None, team=None, station=None, facility=None,
              has_comorbidity: bool | None = None, comorbidity_stable: bool = False, is_pregnant: bool | None = None,
              is_breastfeeding: bool = False, can_self_care: bool = True, has_phone: bool | None = None,
              source_contact=None, source=None, source_ref: str = "", classification: str = "confirmed",
              epi_link: bool = False, clinical_signs=None, investigation: dict | None = None) -> Case:
    """Confirm a person as a case (F0). The testing/contacts capabilities call this in one step.

    `source_contact` (a contacts.Contact or its id) and `source` (e.g. a test result) are remembered on the case.
    """
    if confirmed_on > timezone.localdate():
        raise Invalid("Ngày xác định không được ở tương lai.", "The confirmation date cannot be in the future.", field="confirmed_on")
    if test_kind and test_kind not in TestKind.values:
        raise Invalid("Loại xét nghiệm không hợp lệ.", "Unknown test kind.", field="test_kind")
    disease_obj = get_disease(disease)
    clinical_signs = list(clinical_signs or [])
    # The disease's rules must cover the day (a gap is refused naming the rule), and the classification must agree
    # with its case definition (e.g. "confirmed" needs a confirming test or an epidemiological link).
    in_force(disease_obj, "release", confirmed_on, field="confirmed_on")
    classify.check(disease_obj, confirmed_on, classification, test_kind=test_kind, epi_link=epi_link, signs=clinical_signs)
    if detected_in not in DetectedIn.values:
        raise Invalid("Nơi phát hiện không hợp lệ.", "Unknown place of detection.", field="detected_in")
    if symptom_onset and symptom_onset > confirmed_on + dt.timedelta(days=30):
        raise Invalid("Ngày khởi phát không hợp lý.", "The symptom onset date is implausible.", field="symptom_onset")
    if Case.objects.filter(person=person, status=Status.ACTIVE).exists():
        raise Invalid("Người này đang là ca bệnh đang điều trị.", "This person is already an active case.")
    if vaccination_status is None:
        full = vaccination_selectors.is_fully_vaccinated(person, confirmed_on)
        vaccination_status = VaccinationStatus.FULL if full else VaccinationStatus.UNKNOWN
    # A case keeps the unit of its time: a re-homed person's case of 2022 lies on his pre-2025 commune (geo.eras).
    commune = commune or person.commune_on(confirmed_on)
    check_unit_on(commune, confirmed_on, what_vi="Ca bệnh", what_en="A case")
    case = Case(
        person=person, disease=disease_obj, commune=commune, confirmed_on=confirmed_on, classification=classification,
        epi_link=epi_link, clinical_signs=clinical_signs, investigation=investigation or {},
        test_kind=test_kind, test_place=test_place, symptom_onset=symptom_onset, detected_in=detected_in,
        care_setting=care_setting, severity=severity, vaccination_status=vaccination_status,
        has_comorbidity=bool(person.comorbidities) if has_comorbidity is None else has_comorbidity,
        comorbidity_stable=comorbidity_stable,
        is_pregnant=person.is_pregnant if is_pregnant is None else is_pregnant, is_breastfeeding=is_breastfeeding,
        can_self_care=can_self_care, has_phone=bool(person.phone) if has_phone is None else has_phone,
        team=team, station=station or default_station(commune), facility=facility, created_by=by if getattr(by, "pk", None) else None,
        source_contact_id=getattr(source_contact, "pk", source_contact), source_ref=source_ref or (f"{source._meta.label_lower}:{source.pk}" if hasattr(source, "_meta") else str(source or "")),
    )
    case.release_due_on = compute_release_due(case)
    case.save()
    record(actor=by, action="create", obj=case, person_id=person.pk,
           changes={"confirmed_on": (None, confirmed_on), "care_setting": (None, care_setting), "detected_in": (None, detected_in),
                    "classification": (None, classification), "disease": (None, disease_obj.code)})
    if classification == "confirmed":
        _event(case, "created", f"Xác định F0 ({case.get_test_kind_display()}), {case.get_care_setting_display()}", by)
    else:
        _event(case, "created", f"{case.get_classification_display()} {disease_obj.name}, {case.get_care_setting_display()}", by)
    return case


@transaction.atomic
def update_investigation(case: Case, *, by, answers: dict, expected_version: int) -> Case:
    """The case investigation form (fields from the disease's case definition, `investigation_fields`)."""
    merged = {**(case.investigation or {}), **{k: v for k, v in answers.items()}}
    changes = {k: (case.investigation.get(k) if case.investigation else None, v) for k, v in answers.items()
               if (case.investigation or {}).get(k) != v}
    if not changes:
        return case
    update_versioned(case, expected_version=expected_version, changes={"investigation": merged})
    record(actor=by, action="update", obj=case, person_id=case.person_id, changes=changes, note="investigation")
    _event(case, "investigation", "Cập nhật phiếu điều tra ca bệnh", by)
    return case


def investigation_fields(case: Case) -> list[dict]:
    """The questions of the case investigation form: the disease's case definition in force on the case's day."""
    from diseases.selectors import definition

    rule = definition(case.disease, case.confirmed_on)
    return [f for f in (rule.value("investigation_fields") or []) if isinstance(f, dict) and f.get("code")]


def clean_investigation_answer(field: dict, raw):
    """One answer as stored (ISO date, whole number, boolean, text ≤ 500), from a form's text or an API's JSON value;
    raises Invalid (field `answers.<code>`) for a value of the wrong kind. The page and the API both call this."""
    from core.parsing import ParseError, parse_date

    kind, code = field.get("type"), f"answers.{field['code']}"
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        return str(raw or "").strip().lower() not in ("", "0", "false", "off", "no")
    if raw is None:
        return None if kind == "int" else ""
    if isinstance(raw, (dict, list)):
        raise Invalid("Giá trị không hợp lệ.", "Invalid value.", field=code)
    text = str(raw).strip()
    if kind == "date":
        try:
            day = parse_date(text)
        except ParseError as exc:
            raise Invalid(exc.vi, exc.en, field=code)
        return day.isoformat() if day else ""
    if kind == "int":
        if isinstance(raw, bool) or (text and not (text.isascii() and text.isdigit())):
            raise Invalid("Phải là số nguyên.", "Must be a whole number.", field=code)
        return int(text) if text else None
    return text[:500]


def clean_investigation_answers(case: Case, raw: dict) -> dict:
    """The API's answers by question code: unknown codes refused, each answer cleaned as the page does."""
    fields = {f["code"]: f for f in investigation_fields(case)}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise Invalid(f"Câu hỏi không có trong phiếu điều tra: {', '.join(unknown)[:200]}",
                      f"Not a question of the investigation form: {', '.join(unknown)[:200]}", field="answers")
    return {code: clean_investigation_answer(fields[code], value) for code, value in raw.items()}


@transaction.atomic
def classify_case(case: Case, *, by, classification: str, test_kind: str = "", epi_link: bool = False,
                  clinical_signs=None, expected_version: int | None = None) -> Case:
    """Reclassify a case (e.g. suspected measles confirmed by IgM), checked against the disease's definition in
    force on the day of the case (its confirmed_on, the day it was reported)."""
    signs = list(case.clinical_signs if clinical_signs is None else clinical_signs)
    test_kind = test_kind or ""
    if test_kind and test_kind not in TestKind.values:
        raise Invalid("Loại xét nghiệm không hợp lệ.", "Unknown test kind.", field="test_kind")
    classify.check(case.disease, case.confirmed_on, classification, test_kind=test_kind or case.test_kind,
                   epi_link=epi_link or case.epi_link, signs=signs)
    before = {"classification": case.classification, "test_kind": case.test_kind, "epi_link": case.epi_link}
    update_versioned(case, expected_version=case.version if expected_version is None else expected_version, changes={
        "classification": classification, "test_kind": test_kind or case.test_kind, "epi_link": epi_link or case.epi_link,
        "clinical_signs": signs})
    after = {"classification": case.classification, "test_kind": case.test_kind, "epi_link": case.epi_link}
    record(actor=by, action="update", obj=case, person_id=case.person_id,
           changes={k: (before[k], after[k]) for k in before if before[k] != after[k]})
    how = case.get_test_kind_display() if test_kind else ("liên quan dịch tễ" if epi_link else "")
    _event(case, "classified", f"{case.get_classification_display()}" + (f" ({how})" if how else ""), by)
    return case


def home_care_assessment(case: Case, *, respiratory_rate: int | None = None, spo2: int | None = None) -> dict:
    """Eligibility for home care under the rule in force on the day of confirmation, with reasons and the version."""
    rule = _rule("home_care", case.confirmed_on, case.disease.code)
    if respiratory_rate is None and spo2 is None:
        first = case.checks.order_by("taken_at").first() if case.pk else None
        if first:
            respiratory_rate, spo2 = first.respiratory_rate, first.spo2
    reasons = rules.home_care_eligibility(
        rule, age=_age(case, case.confirmed_on), severity=case.severity, respiratory_rate=respiratory_rate, spo2=spo2,
        fully_vaccinated=case.is_fully_vaccinated, has_comorbidity=case.has_comorbidity,
        comorbidity_stable=case.comorbidity_stable, pregnant=case.is_pregnant, can_self_care=case.can_self_care,
        has_phone=case.has_phone,
    )
    return {"eligible": not reasons, "reasons": reasons, "why": why(rule, case.confirmed_on, "ngày xác định", "confirmation date")}


EDITABLE = ["care_setting", "severity", "on_oxygen", "vaccination_status", "has_comorbidity", "comorbidity_stable",
            "is_pregnant", "is_breastfeeding", "can_self_care", "has_phone", "team", "station", "facility",
            "symptom_onset", "test_place", "detected_in", "status"]


@transaction.atomic
def update_case(*, by, case: Case, expected_version: int, changes: dict) -> Case:
    changes = {k: v for k, v in changes.items() if k in EDITABLE}
    changed = diff(case, changes)
    if not changed:
        return case
    if "status" in changed and changes["status"] not in (Status.ACTIVE, Status.LOST):
        raise Invalid("Dùng chức năng chuyển viện / khỏi bệnh / tử vong để đổi tình trạng này.",
                      "Use the transfer, release or death actions for this status.", field="status")
    if "vaccination_status" in changed:
        probe = Case(**{**{f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields}, "vaccination_status": changes["vaccination_status"]})
        probe.disease = case.disease
        changes["release_due_on"] = compute_release_due(probe)
    update_versioned(case, expected_version=expected_version, changes=changes)
    record(actor=by, action="update", obj=case, person_id=case.person_id, changes=changed)
    for key, (old, new) in changed.items():
        if key in ("care_setting", "status", "team", "station", "facility"):
            label = Case._meta.get_field(key).verbose_name
            _event(case, key, f"{label}: {old or '—'} → {new or '—'}", by)
    if case.care_setting != CareSetting.HOME or case.status != Status.ACTIVE:
        Case.objects.filter(pk=case.pk).update(self_report_token=None)
    return case


# --- monitoring checks and alerts ----------------------------------------------------------------------------------
@dataclass
class CheckResult:
    check: Check
    signs: list
    alert: Alert | None
    created: bool
    rule: object = None


def _clean_measures(data: dict) -> dict:
    values = {}
    for key in rules.MEASURES:
        value = data.get(key)
        if value in (None, ""):
            values[key] = None
            continue
        try:
            number = float(str(value).replace(",", "."))
        except ValueError:
            raise Invalid(f"Giá trị không phải số: {value}", f"Not a number: {value}", field=key)
        values[key] = round(number, 1) if key == "temperature" else int(round(number))
        if key != "temperature" and number != int(number):
            raise Invalid(f"Giá trị phải là số nguyên: {value}", f"Must be a whole number: {value}", field=key)
    return values


def _existing_check(case: Case, key: str) -> CheckResult | None:
    if not key:
        return None
    existing = Check.objects.filter(case=case, idempotency_key=key).select_related("alert").first()
    if existing is None:
        return None
    return CheckResult(existing, existing.warning_signs, getattr(existing, "alert", None), False)


def _evaluate_check(case: Case, data: dict, taken_at: dt.datetime | None):
    if case.status != Status.ACTIVE or case.released_on or case.died_on:
        raise Invalid("Ca bệnh đã kết thúc điều trị tại chỗ (khỏi bệnh, chuyển viện hoặc tử vong): không nhận phiếu theo dõi.",
                      "The case is closed (released, transferred or died): checks are refused.")
    now = timezone.now()
    taken_at = taken_at or now
    if taken_at > now + dt.timedelta(minutes=5):
        raise Invalid("Thời điểm đo ở tương lai.", "The time of the check is in the future.", field="taken_at")
    symptoms = list(dict.fromkeys(data.get("symptoms") or []))
    values = _clean_measures(data)
    on = _local_date(taken_at)
    rule = _rule("warning_signs", on, case.disease.code)
    rules.validate_check(values, symptoms, rule)  # the disease's own signs (dengue's) are known symptoms too
    signs = rules.warning_signs(rule, age=_age(case, on), values=values, symptoms=symptoms)
    return rule, values, symptoms, signs, now, taken_at


def check_rule(case: Case, on: dt.date | None = None):
    """The warning-sign rule a check of this case taken on `on` (today) is judged by, or None in a gap of the rule
    base (the form then asks for everything and the check itself is refused naming the missing rule)."""
    try:
        return _rule("warning_signs", on or timezone.localdate(), case.disease.code)
    except Invalid:
        return None


def record_check(*, by, case: Case, data: dict, idempotency_key: str = "", by_patient: bool = False,
                 taken_at: dt.datetime | None = None) -> CheckResult:
    """Store a check once (per idempotency key), evaluate it under the warning-sign rule in force on the day it was
    taken, and raise an alert at once when a sign is met."""
    key = (idempotency_key or "").strip()[:64]
    # A retried request usually does not exist yet: no probe up front. The unique constraint (case, key) catches the
    # repeat at insert time; a repeat refused by validation (the case closed since, a changed clock) still gets the
    # first result.
    try:
        rule, values, symptoms, signs, now, taken_at = _evaluate_check(case, data, taken_at)
    except Invalid:
        existing = _existing_check(case, key)
        if existing:
            return existing
        raise
    sign_dicts = [s.as_dict() for s in signs]
    # Both write paths store these same rows.
    user = by if getattr(by, "pk", None) else None
    check = Check(case=case, taken_at=taken_at, by=user, by_patient=by_patient, symptoms=symptoms, warning_signs=sign_dicts,
                  rule_set=rule, idempotency_key=key, **values)
    alert = timeline = None
    if signs:
        said = "; ".join(s.vi for s in signs)
        alert = Alert(case=case, raised_at=now, signs=sign_dicts, message=said[:300])
        timeline = _event_row(case, "alert", "Cảnh báo: " + said, by, now)
    audit = dict(actor=by, action="create", person_id=case.person_id, actor_label="" if user else "patient-self-report",
                 changes={k: (None, v) for k, v in values.items() if v is not None} or None)
    if fastpath_check.applies():
        # PostgreSQL: the same rows in one statement (cases/fastpath_check.py; parity: test_check_in_one_statement.py).
        if not fastpath_check.insert_check(case=case, check=check, alert=alert, timeline=timeline,
                                           audit_event=event(obj=check, **audit), taken_at=taken_at):
            existing = _existing_check(case, key)  # the idempotency key was stored before: the first result
            if existing is None:
                raise IntegrityError(f"check for case {case.pk} not stored")
            return existing
        notify_alert(alert) if alert else None
        return CheckResult(check, sign_dicts, alert, True, rule)
    try:
        with transaction.atomic():
            check.save(force_insert=True)
            if alert:
                alert.check_record = check
                alert.save(force_insert=True)
                timeline.save(force_insert=True)
            # Only ever moves forward, without touching the case's edit version.
            Case.objects.filter(pk=case.pk).filter(Q(last_check_at__isnull=True) | Q(last_check_at__lt=taken_at)).update(last_check_at=taken_at)
            record(obj=check, **audit)
    except IntegrityError:
        existing = _existing_check(case, key)
        if existing is None:
            raise
        return existing
    notify_alert(alert) if alert else None
    return CheckResult(check, sign_dicts, alert, True, rule)


def notify_alert(alert: Alert) -> None:
    """Alerts reach the care team and the station through their boards (polled every minute); hook for SMS later."""


@transaction.atomic
def raise_help_request(*, case: Case, message: str = "") -> Alert:
    if case.status != Status.ACTIVE:
        raise Invalid("Ca bệnh đã kết thúc điều trị.", "The case is closed.")
    alert = Alert.objects.create(case=case, source=Alert.Source.HELP, raised_at=timezone.now(),
                                 signs=[{"code": "help", "message_vi": "Người bệnh cần hỗ trợ", "message_en": "Patient asks for help"}],
                                 message=(message or "Người bệnh cần hỗ trợ")[:300])
    _event(case, "help", f"Người bệnh yêu cầu hỗ trợ: {message}"[:300])
    record(actor=None, action="create", obj=alert, person_id=case.person_id, actor_label="patient-self-report")
    return alert


@transaction.atomic
def acknowledge_alert(*, by, alert: Alert, note: str = "") -> bool:
    """Acknowledge once; a second acknowledgement (another worker, a double tap) changes nothing and returns False."""
    now = timezone.now()
    done = Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(acknowledged_at=now, acknowledged_by=by, note=note[:300])
    if done != 1:
        alert.refresh_from_db()
        return False
    alert.refresh_from_db()
    _event(alert.case, "ack", f"Đã tiếp nhận cảnh báo{': ' + note if note else ''}", by)
    record(actor=by, action="update", obj=alert, person_id=alert.case.person_id, changes={"acknowledged_at": (None, now)})
    return True


@transaction.atomic
def transfer_to_hospital(*, by, case: Case, expected_version: int, destination: Facility | None = None,
                         destination_text: str = "", reason: str = "", at: dt.datetime | None = None,
                         bed_type: str = BedType.ORDINARY) -> Transfer:
    """One action: record destination and time, hand the case over (care setting hospital, status transferred),
    close its open alerts and the self-report link, free the bed it held and, when the destination is one of the
    province's facilities, admit the patient there in a `bed_type` bed (so both facilities' occupancy moves)."""
    if case.status != Status.ACTIVE:
        raise Invalid("Chỉ chuyển viện được ca đang điều trị.", "Only an active case can be transferred.")
    if destination is None and not destination_text.strip():
        raise Invalid("Phải ghi nơi chuyển đến.", "The destination is required.", field="destination")
    at = at or timezone.now()
    from_setting = case.care_setting
    update_versioned(case, expected_version=expected_version, changes={
        "care_setting": CareSetting.HOSPITAL, "status": Status.TRANSFERRED, "facility": destination, "self_report_token": None,
    })
    transfer = Transfer.objects.create(case=case, at=at, from_setting=from_setting, destination=destination,
                                       destination_text=destination_text, reason=reason, by=by)
    Alert.objects.filter(case=case, acknowledged_at__isnull=True).update(acknowledged_at=timezone.now(), acknowledged_by=by, note="Đã chuyển viện")
    Admission.objects.filter(case=case, discharged_at__isnull=True).update(discharged_at=at)
    where = destination.name if destination else destination_text
    _event(case, "transfer", f"Chuyển viện đến {where}. {reason}".strip(), by, at)
    record(actor=by, action="update", obj=case, person_id=case.person_id,
           changes={"status": (Status.ACTIVE, Status.TRANSFERRED), "care_setting": (from_setting, CareSetting.HOSPITAL), "destination": (None, where)})
    if destination is not None:
        adm = Admission.objects.create(case=case, facility=destination, bed_type=bed_type, admitted_at=at, by=by)
        record(actor=by, action="create", obj=adm, person_id=case.person_id,
               changes={"facility": (None, destination.name), "bed_type": (None, bed_type)})
        _event(case, "admission", f"Nhập {destination.name} ({adm.get_bed_type_display()})", by, at)
    return transfer


# --- release and recovery ------------------------------------------------------------------------------------------
@transaction.atomic
def record_release(*, by, case: Case, expected_version: int, on: dt.date, test_result: str, self_test: bool = False) -> Case:
    """A release test (negative/positive) or, without a test, release at the end of the longest period.

    Under the rule in force on the day of confirmation: negative test on or after day `min_days` → recovered;
    positive → keep isolating until day 10/14 (vaccination status), then release without a further test.
    """
    if case.status not in (Status.ACTIVE, Status.TRANSFERRED):
        raise Invalid("Ca bệnh không còn đang điều trị.", "The case is no longer active.")
    if on > timezone.localdate():
        raise Invalid("Ngày không được ở tương lai.", "The date cannot be in the future.", field="on")
    rule = release_rule_for(case)
    earliest, latest = rules.release_dates(rule, confirmed_on=case.confirmed_on, fully_vaccinated=case.is_fully_vaccinated)
    if test_result == "negative":
        if on < earliest:
            raise Invalid(f"Chưa đủ {rule.value('min_days')} ngày theo {rule.source_document}: sớm nhất {earliest:%d/%m/%Y}.",
                          f"Not yet {rule.value('min_days')} days under {rule.source_document}: earliest {earliest:%d/%m/%Y}.", field="on")
        if self_test and not rule.value("self_test_allowed"):
            raise Invalid(f"Theo {rule.source_document}, xét nghiệm phải do nhân viên y tế thực hiện.",
                          f"Under {rule.source_document} the test must be done by health staff.", field="self_test")
        changes = {"release_test_on": on, "release_test_result": "negative", "status": Status.RECOVERED, "released_on": on,
                   "self_report_token": None}
    elif test_result == "positive":
        changes = {"release_test_on": on, "release_test_result": "positive", "release_due_on": latest}
    elif test_result == "":
        if on < latest:
            raise Invalid(f"Cần xét nghiệm âm tính, hoặc chờ đến {latest:%d/%m/%Y} ({rule.source_document}).",
                          f"A negative test is needed, or wait until {latest:%d/%m/%Y} ({rule.source_document}).", field="on")
        changes = {"status": Status.RECOVERED, "released_on": on, "self_report_token": None}
    else:
        raise Invalid("Kết quả xét nghiệm không hợp lệ.", "Unknown test result.", field="test_result")
    old = {k: getattr(case, k) for k in changes}
    update_versioned(case, expected_version=expected_version, changes=changes)
    record(actor=by, action="update", obj=case, person_id=case.person_id, changes={k: (old[k], v) for k, v in changes.items() if k != "self_report_token"})
    if case.status == Status.RECOVERED:
        _event(case, "released", f"Khỏi bệnh ngày {on:%d/%m/%Y} theo {rule.source_document}", by)
        Admission.objects.filter(case=case, discharged_at__isnull=True).update(discharged_at=timezone.now())
    else:
        _event(case, "release_test", f"Xét nghiệm ngày {on:%d/%m/%Y} dương tính; tiếp tục cách ly đến {latest:%d/%m/%Y}", by)
    return case


@transaction.atomic
def issue_certificate(*, by, case: Case) -> RecoveryCertificate:
    if case.status != Status.RECOVERED or not case.released_on:
        raise Invalid("Chỉ cấp giấy xác nhận cho ca đã khỏi bệnh.", "A certificate is only issued for a recovered case.")
    existing = RecoveryCertificate.objects.filter(case=case).first()
    if existing and existing.revoked_at:
        # Issued again after a revocation: a new paper with a new code; the revoked code stays dead.
        changes = {"revoked_at": [existing.revoked_at.isoformat(), None]}
        existing.verify_token, existing.revoked_at, existing.revoked_by, existing.revoke_reason = new_token(), None, None, ""
        existing.issued_on, existing.issued_by = timezone.localdate(), by
        existing.save(update_fields=["verify_token", "revoked_at", "revoked_by", "revoke_reason", "issued_on", "issued_by"])
        record(actor=by, action="update", obj=existing, person_id=case.person_id, changes=changes, note="certificate re-issued")
        _event(case, "certificate", f"Cấp lại giấy xác nhận khỏi bệnh số {existing.number} (mã QR mới)", by)
        return existing
    if existing:
        return existing
    cert = RecoveryCertificate.objects.create(case=case, number=f"KB-{case.released_on:%Y}-{case.pk:07d}",
                                              issued_on=timezone.localdate(), issued_by=by)
    record(actor=by, action="create", obj=cert, person_id=case.person_id)
    _event(case, "certificate", f"Cấp giấy xác nhận khỏi bệnh số {cert.number}", by)
    return cert


@transaction.atomic
def revoke_certificate(*, by, case: Case, reason: str = "") -> RecoveryCertificate:
    """The certificate's QR code stops verifying (the page says "revoked", with no personal data)."""
    cert = RecoveryCertificate.objects.select_for_update().filter(case=case).first()
    if cert is None:
        raise Invalid("Ca bệnh chưa được cấp giấy xác nhận.", "No certificate has been issued for this case.")
    if cert.revoked_at:
        raise Invalid("Giấy xác nhận đã bị thu hồi trước đó.", "The certificate was already revoked.")
    cert.revoked_at, cert.revoked_by, cert.revoke_reason = timezone.now(), by, (reason or "")[:200]
    cert.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    record(actor=by, action="update", obj=cert, person_id=case.person_id, changes={"revoked_at": [None, cert.revoked_at.isoformat()]},
           note=f"certificate revoked: {cert.revoke_reason}")
    _event(case, "certificate", f"Thu hồi giấy xác nhận khỏi bệnh số {cert.number}", by)
    return cert


# --- self-report link ------------------------------------------------------------------------------------------------
@transaction.atomic
def self_report_token(*, by, case: Case, renew: bool = False) -> str:
    if case.status != Status.ACTIVE or case.care_setting != CareSetting.HOME:
        raise Invalid("Chỉ người bệnh đang điều trị tại nhà mới có liên kết tự báo.", "Only home patients under care get a self-report link.")
    case.refresh_from_db(fields=["self_report_token"])
    if case.self_report_token and not renew:
        return case.self_report_token
    token = new_token()
    Case.objects.filter(pk=case.pk).update(self_report_token=token)
    case.self_report_token = token
    record(actor=by, action="update", obj=case, person_id=case.person_id, note="Đã cấp đường dẫn tự khai báo")
    _event(case, "link", "Cấp liên kết tự theo dõi" if not renew else "Cấp lại liên kết tự theo dõi (liên kết cũ hết hiệu lực)", by)
    return token


def case_for_token(token: str) -> Case | None:
    """The active home case of a self-report token; None when forged, expired (released, transferred) or revoked."""
    if not token or len(token) < 20:
        return None
    case = Case.objects.select_related("person", "disease").filter(self_report_token=token).first()
    if case is None or case.status != Status.ACTIVE or case.care_setting != CareSetting.HOME:
        return None
    return case


# --- medicine, support, beds -----------------------------------------------------------------------------------------
@transaction.atomic
def dispense(*, by, case: Case, item: str, quantity: int, given_at: dt.datetime | None = None, item_text: str = "",
             note: str = "") -> Dispensing:
    if case.status != Status.ACTIVE:
        raise Invalid("Ca bệnh không còn đang điều trị.", "The case is no longer active.")
    if quantity is None or quantity <= 0:
        raise Invalid("Số lượng phải lớn hơn 0.", "The quantity must be positive.", field="quantity")
    given_at = given_at or timezone.now()
    on = _local_date(given_at)
    rule = _rule("medicine", on, case.disease.code)
    refusals = rules.medicine_refusals(rule, item=item, age=_age(case, on), pregnant=case.is_pregnant, breastfeeding=case.is_breastfeeding)
    if refusals:
        raise Invalid("; ".join(r.vi for r in refusals), "; ".join(r.en for r in refusals), field="item")
    d = Dispensing.objects.create(case=case, item=item, item_text=item_text, quantity=quantity, given_at=given_at, by=by,
                                  rule_set=rule, note=note)
    Case.objects.filter(pk=case.pk).filter(Q(first_medicine_at__isnull=True) | Q(first_medicine_at__gt=given_at)).update(first_medicine_at=given_at)
    record(actor=by, action="create", obj=d, person_id=case.person_id, changes={"item": (None, item), "quantity": (None, quantity)})
    _event(case, "medicine", f"Cấp {d.get_item_display()} × {quantity}", by, given_at)
    medicine_dispensed.send(sender=Dispensing, by=by, dispensing=d, case=case)  # supplies takes stock; never refuses care
    return d


@transaction.atomic
def record_support(*, by, case: Case, kind: str, amount, given_on: dt.date, fund: str, description: str = "") -> SupportRecord:
    if amount is None or amount < 0:
        raise Invalid("Giá trị hỗ trợ không hợp lệ.", "Invalid amount.", field="amount")
    if not fund.strip():
        raise Invalid("Phải ghi nguồn kinh phí.", "The fund is required.", field="fund")
    s = SupportRecord.objects.create(case=case, kind=kind, amount=amount, given_on=given_on, fund=fund, description=description, by=by)
    record(actor=by, action="create", obj=s, person_id=case.person_id, changes={"kind": (None, kind), "amount": (None, amount)})
    _event(case, "support", f"Hỗ trợ {s.get_kind_display()} {amount:,.0f} đ ({fund})".replace(",", "."), by)
    return s


@transaction.atomic
def admit(*, by, case: Case, facility: Facility, bed_type: str, at: dt.datetime | None = None) -> Admission:
    if case.status != Status.ACTIVE and case.status != Status.TRANSFERRED:
        raise Invalid("Ca bệnh không còn điều trị.", "The case is closed.")
    at = at or timezone.now()
    Admission.objects.filter(case=case, discharged_at__isnull=True).update(discharged_at=at)
    adm = Admission.objects.create(case=case, facility=facility, bed_type=bed_type, admitted_at=at, by=by)
    setting = CareSetting.HOSPITAL if facility.kind in (Facility.Kind.PROVINCIAL_HOSPITAL, Facility.Kind.DISTRICT_HEALTH_CENTRE) else CareSetting.CENTRALISED
    Case.objects.filter(pk=case.pk).update(facility=facility, care_setting=setting, self_report_token=None, **touched(Case))
    record(actor=by, action="create", obj=adm, person_id=case.person_id, changes={"facility": (None, facility.name), "bed_type": (None, bed_type)})
    _event(case, "admission", f"Nhập {facility.name} ({adm.get_bed_type_display()})", by, at)
    return adm


@transaction.atomic
def discharge(*, by, admission: Admission, at: dt.datetime | None = None) -> bool:
    at = at or timezone.now()
    done = Admission.objects.filter(pk=admission.pk, discharged_at__isnull=True).update(discharged_at=at)
    if done:
        record(actor=by, action="update", obj=admission, person_id=admission.case.person_id, changes={"discharged_at": (None, at)})
        _event(admission.case, "discharge", f"Ra khỏi {admission.facility.name}", by, at)
    return bool(done)
