"""Home tiles of the levels app (counts scoped to the user's jurisdiction)."""
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.roles import HEALTH_READERS
from core.scoping import scope

from .models import Assessment, LevelDecision
from .roles import DECIDERS


def tiles(request) -> list[dict]:
    user = request.user
    if not user.is_authenticated or not user.has_role(HEALTH_READERS):
        return []
    visible = scope(Assessment.objects.filter(unit__level="commune"), user)
    week = visible.order_by("-week_start").values_list("week_start", flat=True).first()
    if week is None:
        return []
    url = reverse("levels:map") + f"?week={week.isoformat()}"
    high = visible.filter(week_start=week, level__gte=3).count()
    out = [{"label": _("Xã cấp độ 3–4 (tuần %(w)s)") % {"w": f"{week:%d/%m/%Y}"}, "value": high, "url": url,
            "tone": "alert" if high else "ok"}]
    if user.has_role(DECIDERS):
        pending = scope(LevelDecision.objects.filter(status=LevelDecision.Status.PROPOSED), user).count()
        out.append({"label": _("Cấp độ dịch chờ quyết định"), "value": pending, "url": url, "tone": "warn" if pending else ""})
    return out
