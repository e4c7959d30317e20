"""Pure checks of test data: dates, CT values, pool sizes and the pooled-test state machine."""
import datetime as dt
from decimal import Decimal

from core.errors import Invalid

from .models import Pool, TestKind

# Transitions of the pooled RT-PCR state machine; anything else is refused.
POOL_TRANSITIONS = {
    Pool.Status.COLLECTING: {Pool.Status.SENT},
    Pool.Status.SENT: {Pool.Status.NEGATIVE, Pool.Status.FOLLOW_UP},
    Pool.Status.FOLLOW_UP: {Pool.Status.RESOLVED},
    Pool.Status.NEGATIVE: set(),
    Pool.Status.RESOLVED: set(),
}


def check_dates(taken_on: dt.date | None, reported_on: dt.date | None, *, today: dt.date) -> None:
    if taken_on is None:
        raise Invalid("Cần ngày lấy mẫu.", "The date the sample was taken is required.", field="taken_on")
    if taken_on > today:
        raise Invalid(f"Ngày lấy mẫu {taken_on:%d/%m/%Y} ở tương lai.", f"The sample date {taken_on:%d/%m/%Y} is in the future.", field="taken_on")
    if reported_on is not None:
        if reported_on < taken_on:
            raise Invalid(
                f"Ngày trả kết quả {reported_on:%d/%m/%Y} trước ngày lấy mẫu {taken_on:%d/%m/%Y}.",
                f"The result date {reported_on:%d/%m/%Y} is before the sample was taken ({taken_on:%d/%m/%Y}).",
                field="reported_on",
            )
        if reported_on > today:
            raise Invalid(f"Ngày trả kết quả {reported_on:%d/%m/%Y} ở tương lai.", f"The result date {reported_on:%d/%m/%Y} is in the future.", field="reported_on")


# Kinds every disease keeps (COVID-19 as before); the others only where the disease's case definition names them.
GENERAL_KINDS = (TestKind.RT_PCR, TestKind.RAPID_ANTIGEN, TestKind.SELF_TEST)
LAB_KINDS = (TestKind.IGM, TestKind.NS1)


def allowed_kinds(disease=None, on: dt.date | None = None) -> list[str]:
    """Test kinds a sample of `disease` may be recorded as on `on`: the general kinds, plus IgM / NS1 when the case
    definition in force names them among its confirming or probable tests (diseases rule kind `case_definition`)."""
    from diseases.selectors import NoRuleInForce, definition

    try:
        rule = definition(disease, on)
    except NoRuleInForce:
        return list(GENERAL_KINDS)
    named = set(rule.value("confirming_tests") or []) | set(rule.value("probable_tests") or [])
    return [*GENERAL_KINDS, *(k for k in LAB_KINDS if k in named)]


# (vi, en) names for refusal messages, which carry both languages whatever the page's language.
KIND_NAMES = {TestKind.RT_PCR: ("RT-PCR", "RT-PCR"), TestKind.RAPID_ANTIGEN: ("test nhanh kháng nguyên", "rapid antigen test"),
              TestKind.SELF_TEST: ("tự xét nghiệm", "self-test"), TestKind.IGM: ("Xét nghiệm kháng thể IgM", "IgM antibody test"),
              TestKind.NS1: ("Test kháng nguyên NS1", "NS1 antigen test")}


def kind_refusal(kind: str, disease) -> tuple[str, str]:
    vi, en = KIND_NAMES.get(kind, (kind, kind))
    name = getattr(disease, "name", str(disease))
    name_en = getattr(disease, "name_en", "") or name
    return (f"Loại xét nghiệm “{vi}” không dùng cho bệnh {name} (định nghĩa ca bệnh không nêu xét nghiệm này).",
            f"The test kind “{en}” does not apply to {name_en} (its case definition does not name this test).")


def check_kind(kind: str, disease, on: dt.date | None = None) -> None:
    if kind not in TestKind.values:
        raise Invalid("Loại xét nghiệm không hợp lệ.", "Unknown test kind.", field="kind")
    if kind in LAB_KINDS and kind not in allowed_kinds(disease, on):
        vi, en = kind_refusal(kind, disease)
        raise Invalid(vi, en, field="kind")


def check_ct(kind: str, ct_value) -> Decimal | None:
    if ct_value in (None, ""):
        return None
    if kind != TestKind.RT_PCR:
        raise Invalid("Chỉ xét nghiệm RT-PCR có giá trị CT.", "Only RT-PCR tests have a CT value.", field="ct_value")
    ct = Decimal(str(ct_value))
    # A real-time PCR run has at most 45 cycles.
    if not Decimal("0") < ct <= Decimal("45"):
        raise Invalid(f"Giá trị CT {ct} ngoài khoảng 0–45.", f"CT value {ct} is outside 0–45.", field="ct_value")
    return ct


def check_transition(current: str, new: str) -> None:
    if new not in POOL_TRANSITIONS.get(current, set()):
        raise Invalid(
            f"Không thể chuyển mẫu gộp từ “{Pool.Status(current).label}” sang “{Pool.Status(new).label}”.",
            f"A pool cannot go from “{current}” to “{new}”.",
        )
