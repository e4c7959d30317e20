from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectivesConfig(AppConfig):
    name = "directives"
    verbose_name = _("Văn bản chỉ đạo và nhiệm vụ")

    def ready(self):
        from core.dashboard import register_tiles
        from core.jobs import scheduled
        from core.navigation import register

        from .roles import ALL_TASKS_READERS, DIRECTIVE_READERS

        register("Văn bản chỉ đạo", "directives:list", roles=DIRECTIVE_READERS, order=70)
        register("Nhiệm vụ", "directives:tasks", roles=DIRECTIVE_READERS, order=71)
        register("Bảng theo dõi", "directives:scorecard", roles=ALL_TASKS_READERS, order=72)
        register("Nhắc việc", "directives:reminders", roles=DIRECTIVE_READERS, order=73)
        # Each morning: today's occurrences of recurring tasks ("trước 14h00 hàng ngày"), then reminders.
        scheduled("directives-daily", "directives.services.daily_job", minute="5", hour="6")
        # Afternoon pass: reminders again after the usual 14:00 deadline shows who is missing.
        scheduled("directives-reminders", "directives.services.send_reminders", minute="30", hour="14")
        register_tiles(_tiles, order=70)


def _tiles(request):
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext as _t

    from core.scoping import scope

    from .models import Assignment, Reminder
    from .roles import DIRECTIVE_READERS
    from .rules import due_soon, overdue

    user = request.user
    if not user.has_role(DIRECTIVE_READERS):
        return []
    today = timezone.localdate()
    qs = scope(Assignment.objects.all(), user)
    n_over = overdue(qs, today).count()
    n_soon = due_soon(qs, today).count()
    url = reverse("directives:tasks")
    unread = scope(Reminder.objects.filter(read_at__isnull=True, day=today), user).count()
    return [
        {"label": _t("Nhắc việc hôm nay"), "value": unread, "url": reverse("directives:reminders"), "tone": "warn" if unread else ""},
        {"label": _t("Nhiệm vụ quá hạn"), "value": n_over, "url": url + "?loc=quahan", "tone": "alert" if n_over else "ok"},
        {"label": _t("Nhiệm vụ sắp đến hạn"), "value": n_soon, "url": url + "?loc=saphan", "tone": "warn" if n_soon else ""},
    ]
