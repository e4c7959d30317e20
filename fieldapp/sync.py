"""The field app's sync: incremental worklist download with a server cursor, and batch upload of offline entries.

Download. A cursor is opaque to the phone and signed by the server: it holds the server's time when the last complete
download began (never the phone's clock) and, inside a download of several pages, the last record id sent. The
next download asks for records changed since that time less OVERLAP (a transaction that began before and committed
after the cursor is read again, never missed; a record read twice is simply replaced). The last page of a download
also lists the ids of every record now in the worklist: the phone drops the others (a patient released, moved to
another team or commune, a contact whose follow-up ended, a user whose jurisdiction changed).

Upload. Each entry carries the phone's idempotency key and is answered on its own: stored, duplicate (the key was
stored before: its first answer), refused (the reason in Vietnamese and English; nothing of it stored), or conflict
(the record changed on the server since the phone downloaded it: the server's version is sent back and nothing is
overwritten). Writes go through the owning app's services (scoping, rules and the audit row there).
"""
import datetime as dt

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.roles import can
from cases import selectors as case_selectors
from contacts import selectors as contact_selectors
from core.errors import Invalid
from core.scoping import scope, visible_commune_ids
from testing import selectors as testing_selectors
from vaccination import selectors as vaccination_selectors

from .models import SyncReceipt

WORKLISTS = ("patients", "contacts", "door", "session", "screening")
# Worklists computed whole at each sync: they depend on today's date, the schedules in force and the samples taken
# (the door-to-door list, today's vaccination session list, the screening targets not yet sampled), so every download
# sends them in full, and the id list of the last page drops who left them. The others send only what changed.
COMPUTED = {
    "door": lambda user, on: vaccination_selectors.field_door_to_door(user, on=on),
    "session": lambda user, on: vaccination_selectors.field_session(user, on=on),
    "screening": lambda user, on: testing_selectors.field_screening(user, on=on),
}
OVERLAP = dt.timedelta(seconds=60)
SALT = "fieldapp.cursor"


def page_size() -> int:
    return getattr(settings, "FIELD_PAGE_SIZE", 500)


# --- cursor -------------------------------------------------------------------------------------------------------
def _dump(data: dict) -> str:
    return signing.dumps(data, salt=SALT, compress=True)


def _load(cursor: str, user) -> dict:
    try:
        data = signing.loads(cursor, salt=SALT)
    except signing.BadSignature:
        raise Invalid("Mốc đồng bộ không hợp lệ: hãy tải lại toàn bộ danh sách.",
                      "The sync cursor is not valid: download the whole list again.", field="cursor")
    if data.get("u") != user.pk:
        raise Invalid("Mốc đồng bộ của người dùng khác.", "The sync cursor belongs to another user.", field="cursor")
    return data


def _team_ids(user) -> list[int] | None:
    """A care-team member's worklist is his teams' patients; others (commune staff) see their jurisdiction's."""
    if user.role != "care_team":
        return None
    ids = list(user.teams.filter(is_active=True).values_list("pk", flat=True))
    return ids or None


def _today():
    return timezone.localdate()


def _queryset(user, worklist: str, since):
    if worklist == "patients":
        return case_selectors.field_patients(user, since=since, team_ids=_team_ids(user))
    return contact_selectors.field_contacts(user, on=_today(), since=since)


def _rows(worklist: str, ids):
    if worklist == "patients":
        return case_selectors.field_patient_rows(ids)
    return contact_selectors.field_contact_rows(ids)


def download(user, worklist: str, cursor: str | None) -> dict:
    """One page of a worklist: {"records": [...], "cursor": "...", "more": bool, "ids": [...] on the last page}."""
    if worklist not in WORKLISTS:
        raise Invalid(f"Không có danh sách “{worklist}”.", f"There is no worklist “{worklist}”.", field="worklist")
    state = _load(cursor, user) if cursor else {}
    if state and state.get("w") != worklist:
        raise Invalid("Mốc đồng bộ của danh sách khác.", "The sync cursor belongs to another worklist.", field="cursor")
    if worklist in COMPUTED:
        return _download_computed(user, worklist, state)
    started = state.get("start") or timezone.now().isoformat()
    since = dt.datetime.fromisoformat(state["since"]) - OVERLAP if state.get("since") else None
    after = state.get("after") or 0
    size = page_size()
    qs = _queryset(user, worklist, since)
    ids = list(qs.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True).distinct()[: size + 1])
    more = len(ids) > size
    ids = ids[:size]
    rows = _rows(worklist, ids)
    records = [rows[i] for i in ids if i in rows]
    out = {"worklist": worklist, "records": records, "more": more, "full": since is None}
    if more:
        out["cursor"] = _dump({"u": user.pk, "w": worklist, "start": started, "since": state.get("since"), "after": ids[-1]})
    else:
        out["cursor"] = _dump({"u": user.pk, "w": worklist, "since": started})
        # Every id now in the worklist: the phone drops what is not here (deletions and scope changes).
        out["ids"] = list(_queryset(user, worklist, None).order_by("pk").values_list("pk", flat=True).distinct())
    return out


def _download_computed(user, worklist: str, state: dict) -> dict:
    every = COMPUTED[worklist](user, _today())
    position = int(state.get("pos") or 0)
    size = page_size()
    records = every[position:position + size]
    more = position + size < len(every)
    out = {"worklist": worklist, "records": records, "more": more, "full": True}
    if more:
        out["cursor"] = _dump({"u": user.pk, "w": worklist, "pos": position + size})
    else:
        out["cursor"] = _dump({"u": user.pk, "w": worklist})
        out["ids"] = [r["id"] for r in every]
    return out


# --- upload -------------------------------------------------------------------------------------------------------
MAX_BATCH = 200
KINDS = ("check", "contact_check", "person_edit", "new_person", "door_visit", "dose", "rapid_test")
PERSON_FIELDS = ("full_name", "phone", "street")


def _refused(key, vi, en, code="refused"):
    return {"key": key, "status": "refused", "code": code, "message_vi": vi, "message_en": en}


def _not_found(key, what_vi, what_en):
    # The same answer for "does not exist" and "outside your jurisdiction" (core.scoping: no probing).
    return _refused(key, f"Không tìm thấy {what_vi} trong địa bàn và danh sách của bạn (có thể đã được chuyển đi).",
                    f"No such {what_en} in your jurisdiction and worklist (it may have been moved).", "not_found")


def _parse_dt(value, field):
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None:
            return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
    raise Invalid(f"Thời điểm không hợp lệ: {value}", f"Not a valid time: {value}", field=field)


def _parse_day(value, field):
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise Invalid(f"Ngày không hợp lệ: {value}", f"Not a valid date: {value}", field=field)


def _int(value, field):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Invalid(f"Mã hồ sơ không hợp lệ: {value}", f"Not a valid record id: {value}", field=field)


def _cases_of(user, entries) -> dict:
    """The cases the batch's checks name that the user may see: one query for the batch (core.scoping)."""
    from cases.models import Case

    ids = set()
    for e in entries:
        if isinstance(e, dict) and e.get("kind") == "check":
            try:
                ids.add(int(e.get("case")))
            except (TypeError, ValueError):
                continue
    if not ids:
        return {}
    # No ordering: with a LIMIT, the model's default ordering led PostgreSQL down the confirmation-date index.
    return {c.pk: c for c in scope(Case.objects.select_related("person", "disease").filter(pk__in=ids), user).order_by()}


def _store_check(user, key, entry, cases=None):
    from cases import services

    if not can(user, "cases.follow_up"):
        return _refused(key, "Vai trò của bạn không được ghi phiếu theo dõi.", "Your role may not record checks.", "forbidden")
    case_id = _int(entry.get("case"), "case")
    case = (cases if cases is not None else _cases_of(user, [entry])).get(case_id)
    if case is None:
        return _not_found(key, "người bệnh", "patient")
    values = dict(entry.get("values") or {})
    values["symptoms"] = list(entry.get("symptoms") or [])
    result = services.record_check(by=user, case=case, data=values, idempotency_key=key,
                                   taken_at=_parse_dt(entry.get("taken_at"), "taken_at"))
    answer = {"key": key, "status": "stored" if result.created else "duplicate", "id": result.check.pk,
              "warning_signs": result.signs, "alert": result.alert.pk if result.alert else None}
    return answer


def _store_contact_check(user, key, entry):
    from contacts import services
    from contacts.models import Contact

    if not can(user, "cases.follow_up"):
        return _refused(key, "Vai trò của bạn không được ghi phiếu theo dõi F1.", "Your role may not record follow-ups.", "forbidden")
    contact = scope(Contact.objects.all(), user).filter(pk=_int(entry.get("contact"), "contact")).first()
    if contact is None:
        return _not_found(key, "người tiếp xúc", "contact")
    temperature = entry.get("temperature")
    check = services.record_check(by=user, contact=contact, day=_parse_day(entry.get("day"), "day"),
                                  has_symptoms=bool(entry.get("has_symptoms")), symptoms=str(entry.get("symptoms") or "")[:300],
                                  temperature=None if temperature in (None, "") else str(temperature),
                                  note=str(entry.get("note") or "")[:300])
    return {"key": key, "status": "stored", "id": check.pk}


def _person_state(person) -> dict:
    return {"id": person.pk, "version": person.version, **{f: getattr(person, f) for f in PERSON_FIELDS}}


def _store_person_edit(user, key, entry):
    from people import services
    from people.models import Person

    if not can(user, "people.edit") and not can(user, "cases.follow_up"):
        return _refused(key, "Vai trò của bạn không được sửa hồ sơ.", "Your role may not edit records.", "forbidden")
    person = scope(Person.objects.filter(merged_into__isnull=True), user).filter(pk=_int(entry.get("person"), "person")).first()
    if person is None:
        return _not_found(key, "hồ sơ", "person")
    changes = {k: str(v) for k, v in (entry.get("changes") or {}).items() if k in PERSON_FIELDS}
    if not changes:
        return _refused(key, "Không có thay đổi nào được phép sửa trên điện thoại.", "No change that the phone may make.", "empty")
    base = _int(entry.get("base_version"), "base_version")
    if person.version != base:
        # An edit of a person is never merged silently: the phone shows both versions and its user decides.
        return {"key": key, "status": "conflict", "server": _person_state(person), "mine": changes,
                "message_vi": "Hồ sơ đã được sửa trên máy chủ sau khi bạn tải về: hãy chọn giữ bản nào.",
                "message_en": "The record was changed on the server after you downloaded it: choose which version to keep."}
    services.update_person(by=user, person=person, data=changes, expected_version=base)
    person.refresh_from_db()
    return {"key": key, "status": "stored", "server": _person_state(person)}


def _store_new_person(user, key, entry):
    """A person found in the field: the registry's rules (name, ID number checks, one record per ID number) through
    people.services; a possible duplicate (same name and year of birth in the commune) is refused with the records it
    may be, unless the entry says `confirm_not_duplicate` (as the people API)."""
    from geo.models import AdministrativeUnit, Village
    from people import services
    from people.rules import check_id_number

    if not can(user, "people.edit"):
        return _refused(key, "Vai trò của bạn không được thêm người mới: hãy báo Trạm Y tế xã.",
                        "Your role may not add people: tell the commune health station.", "forbidden")
    data = entry.get("data") or {}
    if not isinstance(data, dict):
        raise Invalid("Thông tin người mới không đúng dạng.", "The new person's data is not an object.", field="data")
    commune_id = _int(data.get("commune") or getattr(user.jurisdiction_unit, "pk", None), "commune")
    visible = visible_commune_ids(user)
    commune = AdministrativeUnit.objects.filter(pk=commune_id, level="commune").first()
    if commune is None or (visible is not None and commune_id not in visible):
        return _refused(key, "Xã/phường không thuộc địa bàn của bạn.", "The commune is not in your jurisdiction.", "not_found")
    village = None
    if data.get("village"):
        village = Village.objects.filter(pk=_int(data.get("village"), "village"), commune=commune).first()
        if village is None:
            raise Invalid("Thôn/làng không thuộc xã.", "The village is not in the commune.", field="village")
    dob = _parse_day(data["date_of_birth"], "date_of_birth") if data.get("date_of_birth") else None
    try:
        birth_year = dob.year if dob else int(data.get("birth_year"))
    except (TypeError, ValueError):
        raise Invalid("Năm sinh là bắt buộc.", "The year of birth is required.", field="birth_year")
    if not 1900 <= birth_year <= _today().year or (dob and dob > _today()):
        raise Invalid(f"Năm sinh {birth_year} không hợp lệ.", f"The year of birth {birth_year} is not valid.", field="birth_year")
    sex = str(data.get("sex") or "")
    if sex not in ("M", "F"):
        raise Invalid("Hãy chọn giới tính.", "Choose the sex.", field="sex")
    fields = {"full_name": str(data.get("full_name") or ""), "birth_year": birth_year, "date_of_birth": dob, "sex": sex,
              "phone": str(data.get("phone") or ""), "street": str(data.get("street") or "")[:200], "commune": commune,
              "village": village}
    number = str(data.get("id_number") or "").strip()
    if number:
        fields["id_kind"], fields["id_number"] = check_id_number(number, sex=sex, birth_year=birth_year)
    if not data.get("confirm_not_duplicate"):
        from people.selectors import possible_duplicates

        same = possible_duplicates(user, full_name=fields["full_name"], birth_year=birth_year, commune=commune, date_of_birth=dob)
        if same:
            answer = _refused(key, "Có thể trùng với hồ sơ đã có trong xã (cùng họ tên, năm sinh): "
                              + ", ".join(f"{p['full_name']} ({p['birth_year']}, #{p['id']})" for p in same)
                              + ". Nếu đúng là người khác, hãy chọn “Vẫn thêm người mới”.",
                              "Possibly the same as a record of the commune (same name and year of birth): "
                              + ", ".join(f"{p['full_name']} ({p['birth_year']}, #{p['id']})" for p in same)
                              + ". If this is someone else, choose “Add anyway”.", "possible_duplicate")
            return {**answer, "possible_duplicates": same}
    try:
        person = services.create_person(by=user, data=fields)
    except services.DuplicateId as exc:
        if exc.existing is not None:
            return _refused(key, f"Số giấy tờ đã có trong hồ sơ #{exc.existing.pk} ({exc.existing.full_name}).",
                            f"The ID number already belongs to record #{exc.existing.pk}.", "duplicate_id")
        from core.scoping import OUTSIDE_JURISDICTION

        return _refused(key, OUTSIDE_JURISDICTION[0], OUTSIDE_JURISDICTION[1], "duplicate_id")
    return {"key": key, "status": "stored", "id": person.pk, "person": {
        "id": person.pk, "version": person.version, "full_name": person.full_name, "birth_year": person.birth_year}}


def _store_door_visit(user, key, entry):
    from people.models import Person
    from vaccination import outreach

    if not can(user, "vaccination.visit"):
        return _refused(key, "Vai trò của bạn không được ghi kết quả đến từng nhà.", "Your role may not record visits.", "forbidden")
    person = scope(Person.objects.filter(merged_into__isnull=True), user).filter(pk=_int(entry.get("person"), "person")).first()
    if person is None:
        return _not_found(key, "người cần đến", "person to visit")
    day = _parse_day(entry.get("day"), "day")
    if day > _today():
        raise Invalid("Ngày đến nhà ở tương lai.", "The visit day is in the future.", field="day")
    visit = outreach.record_visit(by=user, person=person, outcome=str(entry.get("outcome") or ""),
                                  reason=str(entry.get("reason") or "")[:1000], visited_on=day)
    return {"key": key, "status": "stored", "id": visit.pk}


def _person_for(user, entry):
    """The person an entry names: by id, or by `person_key`, the key of a new_person entry of the same user stored
    before it (earlier in the same batch or in an earlier one): a dose given to someone found in the field."""
    from people.models import Person

    if entry.get("person_key"):
        receipt = SyncReceipt.objects.filter(key=str(entry["person_key"]), user=user, kind="new_person").first()
        if receipt is None:
            raise Invalid("Người mới mà phiếu này nhắc tới chưa được lưu (phiếu thêm người bị từ chối hoặc chưa gửi).",
                          "The new person this entry names is not stored (its entry was refused or not sent).", field="person_key")
        person_id = receipt.answer.get("id")
    else:
        person_id = _int(entry.get("person"), "person")
    return scope(Person.objects.filter(merged_into__isnull=True), user).filter(pk=person_id).first()


def _store_dose(user, key, entry):
    from vaccination import services

    if not can(user, "vaccination.edit"):
        return _refused(key, "Vai trò của bạn không được ghi mũi tiêm.", "Your role may not record doses.", "forbidden")
    person = _person_for(user, entry)
    if person is None:
        return _not_found(key, "người được tiêm", "person")
    product = vaccination_selectors.product_by_code(entry.get("product"))
    if product is None:
        raise Invalid(f"Không có vắc xin “{entry.get('product')}”.", f"No vaccine “{entry.get('product')}”.", field="product")
    given_on = _parse_day(entry.get("given_on"), "given_on")
    if given_on > _today():
        raise Invalid("Ngày tiêm ở tương lai.", "The date of the dose is in the future.", field="given_on")
    number = entry.get("dose_number")
    # Which record the dose belongs to (routine or the registry) is the vaccination app's rule (services.record_dose).
    # A registry dose with only warnings needs a supervisor's reason, which the phone does not take: it is refused
    # with the findings.
    dose, routine = services.record_dose(
        by=user, person=person, product=product, given_on=given_on, campaign=vaccination_selectors.campaign_by_id(entry.get("campaign")),
        dose_number=_int(number, "dose_number") if number not in (None, "") else None,
        dose_kind=str(entry.get("dose_kind") or "primary"), lot=str(entry.get("lot") or "")[:40])
    if routine:
        return {"key": key, "status": "stored", "id": dose.pk, "routine": True, "dose_number": dose.dose_number}
    return {"key": key, "status": "stored", "id": dose.pk, "warnings": dose.warnings}


def _store_rapid_test(user, key, entry):
    from testing import services

    if not can(user, "testing.edit"):
        return _refused(key, "Vai trò của bạn không được ghi kết quả xét nghiệm.", "Your role may not record tests.", "forbidden")
    person = _person_for(user, entry)
    if person is None:
        return _not_found(key, "người được xét nghiệm", "person")
    if str(entry.get("result") or "pending") not in ("pending", "negative", "positive", "invalid"):
        raise Invalid(f"Kết quả “{entry.get('result')}” không hợp lệ.", f"Unknown result “{entry.get('result')}”.", field="result")
    kind = str(entry.get("test_kind") or "rapid_antigen")
    if kind not in ("rapid_antigen", "rt_pcr"):  # a self-test is the person's own declaration, not a field entry
        raise Invalid(f"Loại xét nghiệm “{kind}” không ghi được trên điện thoại.", f"Test kind “{kind}” cannot be entered on the phone.",
                      field="test_kind")
    test = services.record_test(by=user, person=person, kind=kind, sample_code=str(entry.get("sample_code") or "")[:40],
                                taken_on=_parse_day(entry.get("taken_on"), "taken_on"), result=str(entry.get("result") or "pending"))
    return {"key": key, "status": "stored", "id": test.pk, "result": test.result}


STORE = {"check": _store_check, "contact_check": _store_contact_check, "person_edit": _store_person_edit,
         "new_person": _store_new_person, "door_visit": _store_door_visit,
         "dose": _store_dose, "rapid_test": _store_rapid_test}


def upload(user, entries: list) -> list[dict]:
    """Answer every entry on its own, in order; one refused entry never stops the others.

    One transaction for the batch, a savepoint per entry: a refused entry is rolled back alone, and the batch costs
    one commit instead of one per entry (half the server time of a batch of 100 on PostgreSQL). Should the request
    fail as a whole, nothing of it is stored and the phone's resend stores it once."""
    with transaction.atomic():
        return _upload(user, entries)


def _upload(user, entries: list) -> list[dict]:
    if not isinstance(entries, list):
        raise Invalid("“entries” phải là một danh sách.", "“entries” must be a list.", field="entries")
    if len(entries) > MAX_BATCH:
        raise Invalid(f"Tối đa {MAX_BATCH} phiếu một lần.", f"At most {MAX_BATCH} entries at once.", field="entries")
    keys = [str(e.get("key") or "") for e in entries if isinstance(e, dict)]
    # Entries stored before (a resend): one query for the whole batch.
    receipts = {r.key: r for r in SyncReceipt.objects.filter(key__in=[k for k in keys if k])}
    cases = _cases_of(user, entries)
    answers = []
    for n, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            answers.append(_refused("", f"Phiếu {n}: không đúng dạng.", f"Entry {n}: not an object.", "malformed"))
            continue
        key = str(entry.get("key") or "")
        if not key or len(key) > 64:
            answers.append(_refused(key[:64], f"Phiếu {n}: thiếu mã phiếu (key, tối đa 64 ký tự).",
                                    f"Entry {n}: the key is missing or longer than 64 characters.", "malformed"))
            continue
        receipt = receipts.get(key)
        if receipt is not None:
            if receipt.user_id != user.pk:
                answers.append(_refused(key, f"Phiếu {n}: mã phiếu đã được dùng.", f"Entry {n}: the key was used before.", "key_used"))
            else:
                answers.append({**receipt.answer, "status": "duplicate"})
            continue
        kind = entry.get("kind")
        if kind not in STORE:
            answers.append(_refused(key, f"Phiếu {n}: loại phiếu “{kind}” không có.", f"Entry {n}: unknown kind “{kind}”.", "malformed"))
            continue
        answer = _store_one(user, key, kind, entry, n, cases)
        if answer["status"] in ("stored", "duplicate"):
            # The same key twice in one batch: the second is a duplicate of the first, as across batches.
            receipts[key] = SyncReceipt(key=key, user=user, kind=kind, answer={**answer, "status": "stored"})
        answers.append(answer)
    return answers


def _store_one(user, key, kind, entry, n, cases) -> dict:
    try:
        with transaction.atomic():
            answer = _store_check(user, key, entry, cases) if kind == "check" else STORE[kind](user, key, entry)
            if answer["status"] == "stored":
                SyncReceipt.objects.create(key=key, user=user, kind=kind, answer=answer)
            elif answer["status"] == "duplicate":
                # Stored before under the same key by the owning service (a check's own idempotency key).
                SyncReceipt.objects.get_or_create(key=key, defaults={"user": user, "kind": kind, "answer": {**answer, "status": "stored"}})
    except Invalid as exc:
        return _refused(key, f"Phiếu {n}: {exc.vi}", f"Entry {n}: {exc.en}", "invalid")
    except IntegrityError:
        # The same key stored at this moment by a concurrent request: its answer.
        receipt = SyncReceipt.objects.filter(key=key).first()
        if receipt is None:
            raise
        return {**receipt.answer, "status": "duplicate"}
    return answer


# --- what the session tells the phone -------------------------------------------------------------------------------
def worklists_for(user) -> list[str]:
    """The worklists the phone downloads and shows: the vaccination session list to those who record doses, the
    screening targets to those who record tests; the others to every field user (each scoped on its own)."""
    out = ["patients", "contacts", "door"]
    if can(user, "vaccination.edit"):
        out.append("session")
    if can(user, "testing.edit"):
        out.append("screening")
    return out


def products() -> list[dict]:
    return vaccination_selectors.field_products(_today())


def villages_for(user) -> list[list]:
    """[id, name] of the villages of the user's commune (a new person's address); none above a commune."""
    from geo.models import Level, Village

    unit = user.jurisdiction_unit
    if unit is None or unit.level != Level.COMMUNE:
        return []
    return [[v.pk, v.name] for v in scope(Village.objects.filter(commune=unit).order_by("name"), user)]
