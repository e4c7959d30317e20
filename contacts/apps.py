from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"

    def ready(self):
        from accounts.roles import HEALTH_READERS
        from core.dashboard import register_tiles
        from core.jobs import scheduled
        from core.links import register_link
        from core.navigation import register

        register("Người tiếp xúc", "contacts:list", roles=HEALTH_READERS, order=30)
        register("Ổ dịch", "contacts:outbreaks", roles=HEALTH_READERS, order=32)
        register("Người đến từ vùng dịch", "contacts:arrivals", roles=HEALTH_READERS, order=34)
        register_tiles(tiles, order=30)
        register_link("cases.case", "Người tiếp xúc", "contacts:case", kwarg="case_pk", roles=HEALTH_READERS, order=10)
        register_link("cases.case", "Chuỗi lây", "contacts:chain", kwarg="case_pk", roles=HEALTH_READERS, order=11)
        from core.panels import register_panel

        from .panels import person_contacts

        register_panel("people.person", "Lần là người tiếp xúc",
                       ("Ngày tiếp xúc cuối cùng", "Phân loại", "Ca nguồn (F0)", "Hết cách ly", "Trạng thái"),
                       person_contacts, roles=HEALTH_READERS, empty="Chưa từng là người tiếp xúc.", order=20)
        scheduled("contacts-release-finished", "contacts.services.release_finished", minute="5", hour="0")
        # Outbreaks from case clusters (dengue and any disease whose outbreak rule defines a cluster), then closing.
        scheduled("contacts-detect-clusters", "contacts.services.detect_clusters_job", minute="15", hour="*/3")
        scheduled("contacts-close-quiet-outbreaks", "contacts.services.close_quiet_outbreaks", minute="20", hour="0")


def tiles(request):
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from accounts.roles import HEALTH_READERS
    from core.scoping import scope

    from . import services
    from .models import Arrival, Contact, Outbreak

    if not request.user.has_role(HEALTH_READERS):
        return []
    today = timezone.localdate()
    qs = scope(Contact.objects.all(), request.user)
    following = services.under_follow_up(qs, today).count()
    missing = services.unmonitored(qs, today).count()
    arrivals = services.unmonitored_arrivals(scope(Arrival.objects.all(), request.user), today).count()
    active = list(scope(Outbreak.objects.filter(status=Outbreak.Status.ACTIVE), request.user)[:200])
    closable = sum(1 for ob in active if services.closing_state(ob, today)["closable"])
    return [
        {"label": _("Ổ dịch đang hoạt động"), "value": len(active), "url": reverse("contacts:outbreaks"),
         "tone": "warn" if closable else ""},
        {"label": _("Người tiếp xúc đang theo dõi"), "value": following, "url": reverse("contacts:list"), "tone": ""},
        {"label": _("Người đến từ vùng dịch chưa được theo dõi"), "value": arrivals, "url": reverse("contacts:arrivals") + "?xem=unmonitored",
         "tone": "alert" if arrivals else "ok"},
        {"label": _("Người tiếp xúc chưa được theo dõi"), "value": missing, "url": reverse("contacts:unmonitored"),
         "tone": "alert" if missing else "ok"},
    ]
