from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.roles import HEALTH_READERS
from core.scoping import scope

from .choices import CareSetting, Status
from .models import Alert, Case


def tiles(request):
    user = request.user
    if not user.is_authenticated or not user.has_role(HEALTH_READERS):
        return []
    from django.db.models import Count
    from django.utils import timezone

    from .board import due_today_q, limits

    now = timezone.now()
    # One query for both counts: home patients, and those with a check due today.
    counts = scope(Case.objects.filter(status=Status.ACTIVE, care_setting=CareSetting.HOME), user).aggregate(
        home=Count("id"), due=Count("id", filter=due_today_q(now, limits(timezone.localdate(now)))))
    due = counts["due"]
    open_alerts = scope(Alert.objects.filter(acknowledged_at__isnull=True, case__status=Status.ACTIVE), user).count()
    return [
        {"label": _("F0 đang điều trị tại nhà"), "value": counts["home"], "url": reverse("cases:list") + "?status=active&care_setting=home", "tone": ""},
        {"label": _("Phiếu theo dõi đến hạn hôm nay"), "value": due, "url": reverse("cases:list") + "?status=active&care_setting=home&den_han=1",
         "tone": "warn" if due else ""},
        {"label": _("Cảnh báo chưa tiếp nhận"), "value": open_alerts, "url": reverse("cases:alerts"), "tone": "alert" if open_alerts else "ok"},
    ]
