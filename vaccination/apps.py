from django.apps import AppConfig


class VaccinationConfig(AppConfig):
    name = "vaccination"

    def ready(self):
        from accounts.roles import HEALTH_READERS
        from core.dashboard import register_tiles
        from core.navigation import register

        from . import receivers  # noqa: F401 (people.signals.persons_rehomed)

        register("Tiêm chủng", "vaccination:home", roles=HEALTH_READERS, order=40)
        from diseases.packs import register_section

        from . import packs

        register_section("vaccines", validate=packs.validate, load=packs.load, export=packs.export)
        from .rule_kinds import register as register_rule_kinds

        register_rule_kinds()  # schedules and dose policies in the one rule base (diseases.rules)
        from core.links import register_link

        # From the person's record: the doses (and the form to record one), the certificate.
        register_link("people.person", "Tiêm chủng: các mũi đã tiêm, ghi mũi tiêm", "vaccination:person", kwarg="person_pk",
                      roles=HEALTH_READERS, order=30)
        register_link("people.person", "Giấy chứng nhận tiêm chủng (PDF)", "vaccination:certificate", kwarg="person_pk",
                      roles=HEALTH_READERS, order=31)
        from core.panels import register_panel

        from .panels import person_doses, person_doses_more

        register_panel("people.person", "Các mũi đã tiêm", ("Ngày tiêm", "Mũi", "Vắc xin", "Số lô"),
                       person_doses, roles=HEALTH_READERS, gate="vaccination:person", gate_kwarg="person_pk",
                       more=person_doses_more, empty="Chưa có mũi tiêm nào được ghi.", order=40)
        register_tiles(tiles)
        from core.jobs import scheduled

        scheduled("vaccination-consistency", "vaccination.services.nightly_consistency", minute="30", hour="2")
        # The coverage page's figures for the province and its districts, computed before the first reader of the day.
        scheduled("vaccination-warm-coverage", "vaccination.services.warm_coverage", minute="5", hour="0")
        from core.health import register as register_check

        # /healthz/ is 503 while a dose import's worker is gone (its own batch model, same rules as core.batches).
        register_check("dose_imports", dose_import_health)
        from core.batches import register_import

        register_import("vneid", "Đối soát với VNeID", "vaccination.reconcile.run_reconciliation_batch",
                        page="vaccination:reconciliation")


def dose_import_health() -> dict:
    from .services import import_health

    return import_health()


def tiles(request):
    """Home tiles: coverage of the user's own unit today (scoped by construction)."""
    import datetime as dt

    from django.urls import reverse
    from django.utils.formats import number_format  # the reader's decimal mark (97,5 in Vietnamese)
    from django.utils.translation import gettext as _

    from accounts.roles import HEALTH_READERS

    user = request.user
    if not user.is_authenticated or not user.has_role(HEALTH_READERS):
        return []
    from core.scoping import jurisdiction_area

    unit = jurisdiction_area(user)  # a unit, or a health region (coverage() takes either)
    if unit is None:
        return []
    from .services import coverage

    cov = coverage(unit, dt.date.today())
    g = cov["groups"]["18+"]
    pct = g["full"]["percentage"]
    return [
        {"label": _("Tiêm đủ liều 18+ (%)"),
         # Over 100 % is never a plain number: the tile says why (the coverage page lists both counts).
         "value": "—" if pct is None else (f"> 100 % ({_('vượt dân số ước tính')})" if g["full"].get("over") else number_format(pct, 1)),
         "url": reverse("vaccination:coverage"),
         "tone": "ok" if pct and pct >= 90 else "warn"},
    ]
