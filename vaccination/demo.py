"""Demo data of the vaccination app, called by `phongdich demo` (see core.demo).

Doses for a realistic share of the demo's residents as Kon Tum stood in mid-February 2022 (18+: ~96 % one dose,
~90 % two, boosters for those whose primary series ended 6 months before; 12–17: ~88 % one dose): written as a national-platform export and loaded through the
real importer (COPY + set-based checks), so the demo exercises the same path as a user's upload.
"""
import datetime as dt

from django.db import connection


def build(ctx) -> None:
    from geo.importers import Operator

    from . import synthetic
    from .bulk import DoseImporter
    from .models import Campaign

    text, n = synthetic.doses_csv(synthetic.people_rows(), ctx.rng, ctx.today, adult_share=(0.96, 0.9, 0.3, 0.0),
                                  teen_share=0.88, child_share=0.0)
    by = ctx.users.get("health_dept") or Operator()
    result = DoseImporter(by=by, mode="valid_only", today=ctx.today).run(text.encode("utf-8"), "demo-nen-tang-tiem-chung.csv")
    ctx.say(f"  vaccination: {result.imported:,} doses imported ({result.error_count} rows rejected) in {result.timings.get('total')} s")
    if ctx.province is not None:
        # Directive 004: 2nd dose for everyone 18+ by 31/12/2021; 3rd dose for 18+ in Q1/2022.
        Campaign.objects.get_or_create(name="Mũi 2 cho người từ 18 tuổi", defaults={
            "target": "full", "age_min": 18, "target_pct": 100, "starts_on": dt.date(2021, 7, 15),
            "deadline": dt.date(2021, 12, 31), "unit": ctx.province, "source": "Chỉ thị của Ban Chỉ đạo (004)",
        })
        Campaign.objects.get_or_create(name="Mũi nhắc lại cho người từ 18 tuổi – Quý I/2022", defaults={
            "target": "booster", "age_min": 18, "target_pct": 100, "starts_on": dt.date(2022, 1, 1),
            "deadline": dt.date(2022, 3, 31), "unit": ctx.province, "source": "Chỉ thị của Ban Chỉ đạo (004)",
        })
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE vaccination_injection")
            cur.execute("ANALYZE vaccination_personvaccination")
