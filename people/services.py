"""Write functions and queries of the people registry. Views, API, importers and jobs all go through here."""
import re

from django.db import transaction
from django.db.models import Q, QuerySet
from django.dispatch import Signal

from audit.services import diff, record
from core.concurrency import touched, update_versioned
from core.dataversion import bump
from core.text import fold, normalize_name
from geo.eras import check_former_commune, check_move

from .models import Person
from .rules import Invalid, check_id, normalize_phone
from .validators import check_name

EDITABLE_FIELDS = [
    "full_name", "date_of_birth", "birth_year", "sex", "id_kind", "id_number", "phone", "ethnicity", "occupation",
    "workplace", "commune", "village", "street", "former_commune", "comorbidities", "is_pregnant", "is_immunocompromised",
    "guardian", "guardian_name", "guardian_phone",
]


# Sent inside the merge transaction, after linked rows moved: apps holding derived per-person data recompute it.
person_merged = Signal()  # kwargs: keep, duplicate, by


class DuplicateId(Exception):
    """The ID number is already registered. `existing` is the record only if the user may see it; for a record
    outside the user's jurisdiction it is None and the message names neither the person nor the record."""

    def __init__(self, existing: Person | None):
        from core.scoping import OUTSIDE_JURISDICTION

        self.existing = existing
        if existing is None:
            super().__init__(" / ".join(OUTSIDE_JURISDICTION))
        else:
            super().__init__(
                f"Số giấy tờ đã có trong hồ sơ #{existing.pk} / The ID number already belongs to record #{existing.pk}"
            )


def clean_person_data(data: dict) -> dict:
    """Normalise and check a person's fields; raises rules.Invalid with Vietnamese and English messages."""
    data = dict(data)
    if "full_name" in data:
        data["full_name"] = normalize_name(check_name(data["full_name"] or ""))
        if not data["full_name"]:
            raise Invalid("Họ và tên là bắt buộc.", "Full name is required.")
    if data.get("guardian_name"):
        data["guardian_name"] = check_name(data["guardian_name"], field="guardian_name")
    dob = data.get("date_of_birth")
    if dob:
        data["birth_year"] = dob.year
    if data.get("id_kind") or data.get("id_number"):
        data["id_number"] = check_id(
            data.get("id_kind") or "none", data.get("id_number") or "", sex=data.get("sex"), birth_year=data.get("birth_year")
        )
    for key in ("phone", "guardian_phone"):
        if data.get(key):
            data[key] = normalize_phone(data[key])
    village = data.get("village")
    if village is not None and data.get("commune") is not None and village.commune_id != data["commune"].pk:
        raise Invalid("Thôn/làng không thuộc xã đã chọn.", "The village is not in the chosen commune.")
    check_former_commune(data.get("commune"), data.get("former_commune"))
    return data


def possible_duplicates(*, full_name: str, birth_year: int, commune, date_of_birth=None, exclude_pk=None) -> QuerySet:
    """Same diacritic-folded name and date (or year) of birth in the same commune: proposed duplicates."""
    from .selectors import same_person_candidates

    return same_person_candidates(full_name=full_name, birth_year=birth_year, commune=commune, date_of_birth=date_of_birth,
                                  exclude_pk=exclude_pk)


def _refuse_registered_id(id_number: str, *, by, exclude_pk=None) -> None:
    """Same ID = same person: refuse a second record, saying which one only if `by` may see it."""
    from core.scoping import ID_FOUND, ID_NONE

    from .selectors import lookup_person_by_national_id

    found, person = lookup_person_by_national_id(by, id_number, exclude_pk=exclude_pk)
    if found != ID_NONE:
        raise DuplicateId(person if found == ID_FOUND else None)


@transaction.atomic
def create_person(*, by, data: dict) -> Person:
    data = clean_person_data(data)
    _refuse_registered_id(data.get("id_number", ""), by=by)
    person = Person(**data)
    person.name_folded = fold(person.full_name)
    person.save()
    bump("people")  # cached counts (core.dataversion)
    record(actor=by, action="create", obj=person, changes={k: (None, v) for k, v in data.items() if v not in (None, "", [])})
    return person


@transaction.atomic
def update_person(*, by, person: Person, data: dict, expected_version: int) -> Person:
    current = {k: getattr(person, k) for k in ("sex", "birth_year", "commune", "id_kind")}
    if "id_kind" not in data and "id_number" not in data:
        current["id_number"] = person.id_number  # a partial update that leaves the ID alone keeps it (and its kind)
    data = clean_person_data({**current, **data})
    data = {k: v for k, v in data.items() if k in EDITABLE_FIELDS}
    check_move(current["commune"], data.get("commune"))  # across 01/07/2025 only by re-homing (geo.eras)
    _refuse_registered_id(data.get("id_number", ""), by=by, exclude_pk=person.pk)
    changes = diff(person, data)
    if not changes:
        return person
    values = {k: new for k, (old, new) in changes.items()}
    if "full_name" in values:
        values["name_folded"] = fold(values["full_name"])
    update_versioned(person, expected_version=expected_version, changes=values)
    bump("people")  # cached counts (core.dataversion): the commune or the risk factors may have changed
    record(actor=by, action="update", obj=person, changes=changes)
    return person


EXPORT_COLUMNS = ["id", "full_name", "date_of_birth", "birth_year", "sex", "id_kind", "id_number", "phone", "commune", "village", "street"]


def export_people(*, by, qs: QuerySet, note: str = "") -> tuple[list[str], list[list]]:
    """Rows of a CSV export; records an "export" audit event listing every record that left the system."""
    people = list(qs.select_related("commune", "village").order_by("id"))
    rows = [
        [p.pk, p.full_name, p.date_of_birth.strftime("%d/%m/%Y") if p.date_of_birth else "", p.birth_year, p.sex, p.id_kind,
         p.id_number, p.phone, p.commune.code, p.village.name if p.village_id else "", p.street]
        for p in people
    ]
    record(actor=by, action="export", records=[p.pk for p in people], note=note or f"{len(people)} người / people",
           target_label="people.person")
    return EXPORT_COLUMNS, rows


@transaction.atomic
def merge_people(*, by, keep: Person, duplicate: Person) -> Person:
    """Move every record linked to `duplicate` onto `keep`, fill `keep`'s blanks, and retire `duplicate`."""
    if keep.pk == duplicate.pk:
        raise Invalid("Không thể gộp một hồ sơ với chính nó.", "A record cannot be merged with itself.")
    if keep.merged_into_id or duplicate.merged_into_id:
        raise Invalid("Hồ sơ đã được gộp trước đó.", "One of the records was already merged.")
    moved = {}
    for rel in Person._meta.related_objects:
        if rel.related_model is Person and rel.field.name == "merged_into":
            continue
        if rel.many_to_many:
            accessor = getattr(duplicate, rel.get_accessor_name())
            items = list(accessor.all())
            getattr(keep, rel.get_accessor_name()).add(*items)
            accessor.clear()
            moved[rel.get_accessor_name()] = len(items)
        elif rel.one_to_many or rel.one_to_one:
            manager = rel.related_model._base_manager
            if rel.one_to_one and manager.filter(**{rel.field.name: keep}).exists():
                # One row per person (e.g. a derived summary): the kept record's row stays; its owner
                # recomputes it on the `person_merged` signal.
                continue
            n = manager.filter(**{rel.field.name: duplicate}).update(**{rel.field.name: keep}, **touched(rel.related_model))
            if n:
                moved[f"{rel.related_model._meta.label_lower}.{rel.field.name}"] = n
    filled = {}
    for name in EDITABLE_FIELDS:
        if name == "id_kind":
            continue  # follows id_number below ("none" is the blank kind)
        if getattr(keep, name) in (None, "", []) and getattr(duplicate, name) not in (None, "", []):
            filled[name] = getattr(duplicate, name)
    if filled.get("guardian") is not None and filled["guardian"].pk == keep.pk:
        del filled["guardian"]  # nobody is his own guardian
    if filled.get("id_number"):
        filled["id_kind"] = duplicate.id_kind
    if filled.get("id_number"):
        # Free the ID on the retired record first (unique among active records).
        Person.objects.filter(pk=duplicate.pk).update(merged_into=keep, **touched(Person))
    if filled:
        update_versioned(keep, expected_version=keep.version, changes=filled)
    Person.objects.filter(pk=duplicate.pk).update(merged_into=keep, **touched(Person))
    duplicate.merged_into = keep
    record(actor=by, action="merge", obj=keep, note=f"#{duplicate.pk} → #{keep.pk}", changes={k: (None, v) for k, v in filled.items()} or None,
           records={"merged": duplicate.pk, "moved": moved})
    record(actor=by, action="merge", obj=duplicate, person_id=duplicate.pk, note=f"#{duplicate.pk} → #{keep.pk}")
    bump("people")  # cached counts (core.dataversion)
    person_merged.send(sender=Person, keep=keep, duplicate=duplicate, by=by)
    return keep


_DIGITS = re.compile(r"^[\d\s.+\-]+$")


def search_people(qs: QuerySet, query: str) -> QuerySet:
    """By name without diacritics ("nguyen van an"), by ID number, or by phone number."""
    query = (query or "").strip()
    if not query:
        return qs
    if _DIGITS.match(query):
        digits = re.sub(r"\D", "", query)
        try:
            phone = normalize_phone(query)
        except Invalid:
            phone = None
        cond = Q(id_number=digits)
        if phone:
            cond |= Q(phone=phone)
        elif len(digits) >= 4:
            cond |= Q(id_number__startswith=digits) | Q(phone__endswith=digits)
        return qs.filter(cond)
    folded = fold(query)
    # Each typed word sequence must start a word of the name: "van an" finds "Nguyễn Văn An" and "Nguyễn Văn Anh",
    # "an" does not find "Lan". Both LIKEs use PostgreSQL's trigram index (migration 0002).
    return qs.filter(Q(name_folded__startswith=folded) | Q(name_folded__contains=f" {folded}"))


SEARCH_CAP = 1000


def search_page(qs: QuerySet, query: str, page_number, per_page: int = 25, cap: int = SEARCH_CAP):
    """One page of search results in name order, at a bounded cost whatever the query (bench/foundation_search.py).

    Sorting every match of a common name ("nguyen", "anh") by name costs a scan of hundreds of thousands of rows.
    Instead, fetch the ids and folded names of at most `cap` matches, sort them by name, and load only the page's
    rows. Without ORDER BY the database stops after `cap + 1` matches (in storage order, i.e. roughly the earliest
    registered). `page.paginator.capped` tells the template to ask for a narrower search.
    """
    from django.core.paginator import Paginator

    found = list(search_people(qs, query).order_by().values_list("id", "name_folded")[: cap + 1])
    capped = len(found) > cap
    ordered = [pk for pk, _ in sorted(found[:cap], key=lambda row: (row[1], row[0]))]
    paginator = Paginator(ordered, per_page)
    paginator.capped = capped
    page = paginator.get_page(page_number)
    rows = {p.pk: p for p in qs.filter(pk__in=list(page.object_list))}
    page.object_list = [rows[pk] for pk in page.object_list if pk in rows]
    return page


PSEUDONYM_PREFIX = "Ẩn danh #"


@transaction.atomic
def pseudonymise_people(*, by, ids: list[int], note: str = "") -> int:
    """Strip direct identifiers from these people (retention ended): name, date of birth, documents, phones,
    address, workplace and guardian go; birth year, sex, commune and village stay for statistics. One UPDATE, one
    audit event listing every record. Returns the number of people changed."""
    from django.db.models import CharField, F, Value
    from django.db.models.functions import Cast, Concat

    if not ids:
        return 0
    label = Concat(Value(PSEUDONYM_PREFIX), Cast("id", CharField()))
    changed = Person.objects.filter(pk__in=ids).exclude(full_name__startswith=PSEUDONYM_PREFIX).update(
        full_name=label, name_folded=Concat(Value(fold(PSEUDONYM_PREFIX)), Cast("id", CharField())),
        date_of_birth=None, id_kind="none", id_number="", phone="", street="", workplace="", occupation="",
        guardian=None, guardian_name="", guardian_phone="", version=F("version") + 1, **touched(Person),
    )
    record(actor=by, action="update", records=list(ids), target_label="people.person",
           note=note or f"Ẩn danh hoá {changed} người / pseudonymised {changed} people")
    return changed
