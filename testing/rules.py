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
