from django.apps import AppConfig


class TestingConfig(AppConfig):
    name = "testing"

    def ready(self):
        from accounts.roles import HEALTH_READERS, LAB_EDITORS
        from core.dashboard import register_tiles
        from core.links import register_link
        from core.navigation import register

        register("Xét nghiệm", "testing:list", roles=HEALTH_READERS, order=40)
        register_link("people.person", "Ghi xét nghiệm", "testing:create", query="person", roles=LAB_EDITORS, order=10)
        from core.panels import register_panel

        from .panels import person_tests

        register_panel("people.person", "Xét nghiệm", ("Ngày lấy mẫu", "Loại xét nghiệm", "Mã mẫu", "Kết quả", "Ngày trả kết quả"),
                       person_tests, roles=HEALTH_READERS, empty="Chưa có xét nghiệm.", order=30)
        register_tiles(tiles, order=40)
        from core.batches import register_import

        register_import("lab_results", "Nhập kết quả xét nghiệm", "testing.imports.run_import_batch", page="testing:import")
        register_import("campaign_targets", "Nhập danh sách đối tượng sàng lọc", "testing.campaigns.run_target_batch",
                        page="testing:campaigns")


def tiles(request):
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from accounts.roles import HEALTH_READERS
    from core.scoping import scope

    from .models import LineageAlert, PoolMember, Result, Test

    if not request.user.has_role(HEALTH_READERS):
        return []
    pending = scope(Test.objects.filter(result=Result.PENDING), request.user).count()
    awaiting = scope(PoolMember.objects.filter(follow_up=PoolMember.FollowUp.AWAITING), request.user).count()
    alerts = scope(LineageAlert.objects.filter(acknowledged_by__isnull=True), request.user).count()
    out = [
        {"label": _("Mẫu chờ kết quả"), "value": pending, "url": reverse("testing:list") + "?ket-qua=pending", "tone": ""},
        {"label": _("Người của mẫu gộp dương tính chưa có kết quả đơn"), "value": awaiting, "url": reverse("testing:pools"),
         "tone": "warn" if awaiting else "ok"},
    ]
    if alerts:
        out.append({"label": _("Biến thể mới trong tỉnh"), "value": alerts, "url": reverse("testing:list"), "tone": "alert"})
    return out
