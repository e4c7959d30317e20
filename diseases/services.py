"""Write functions for rule sets: a Department of Health officer adds a new version (never edits a past one in place)."""
import datetime as dt

from django.db import IntegrityError, transaction

from audit.services import record
from core.errors import Invalid

from .models import Disease, RuleKind, RuleSet
from .rules import is_ruleset_kind


def normalise_values(values: dict, *, source_document: str) -> dict:
    """Every entry becomes {"value", "source", "confirmed"}; a bare value gets the version's source document."""
    if not isinstance(values, dict) or not values:
        raise Invalid("Các giá trị phải là một đối tượng JSON không rỗng.", "Values must be a non-empty JSON object.")
    out = {}
    for key, entry in values.items():
        if isinstance(entry, dict) and "value" in entry:
            out[key] = {"value": entry["value"], "source": str(entry.get("source") or source_document),
                        "confirmed": bool(entry.get("confirmed", True))}
        else:
            out[key] = {"value": entry, "source": source_document, "confirmed": True}
    return out


@transaction.atomic
def add_rule_version(*, by, disease: Disease, kind: str, name: str, source_document: str, valid_from: dt.date,
                     values: dict, notes: str = "") -> RuleSet:
    if kind not in RuleKind.values:
        raise Invalid("Loại quy định không hợp lệ.", "Unknown rule kind.", field="kind")
    if not is_ruleset_kind(kind):  # kept in its own app's model (schedules, dose policies, level criteria)
        raise Invalid(f"Loại quy định “{RuleKind(kind).label}” được sửa ở trang của phân hệ sở hữu nó hoặc qua gói bệnh.",
                      f"Rule kind “{kind}” is edited on its own app's pages or through a disease pack.", field="kind")
    if not source_document.strip():
        raise Invalid("Phải ghi văn bản nguồn.", "The source document is required.", field="source_document")
    values = normalise_values(values, source_document=source_document)
    try:
        with transaction.atomic():
            rule = RuleSet.objects.create(
                disease=disease, kind=kind, name=name.strip() or source_document, source_document=source_document.strip(),
                valid_from=valid_from, values=values, notes=notes, created_by=by,
            )
    except IntegrityError:
        raise Invalid(
            f"Đã có phiên bản bắt đầu hiệu lực ngày {valid_from:%d/%m/%Y}.",
            f"A version starting on {valid_from:%d/%m/%Y} already exists.", field="valid_from",
        )
    record(actor=by, action="create", obj=rule, changes={"source_document": (None, rule.source_document),
                                                         "valid_from": (None, valid_from), "values": (None, values)})
    return rule
