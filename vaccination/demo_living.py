"""Living era of the demo (see core.demo): a booster campaign for people aged 65 and over in progress on today's
province (started 45 days ago, due in 45 days), the doses given so far written as a national-platform export and loaded
through the real importer, and every resident's vaccination summary recomputed on his 2025 commune."""
import datetime as dt
import io

from django.db import connection

CAMPAIGN_DAYS = 45


def build(ctx) -> None:
    from core.exports import SafeWriter
    from geo.importers import Operator
    from people.models import Person

    from . import services
    from .bulk import DoseImporter
    from .models import Campaign, PersonVaccination
    from .synthetic import HEADER

    rng, today = ctx.rng, ctx.today
    # The residents moved to their 2025 commune: their summaries follow them (set-based).
    services.refresh_summary(person_filter_sql="SELECT DISTINCT person_id FROM vaccination_injection")
    starts = today - dt.timedelta(days=CAMPAIGN_DAYS)
    name = f"Mũi nhắc lại cho người từ 65 tuổi – {ctx.province.name} {starts:%m/%Y}"
    if Campaign.objects.filter(name=name).exists():
        ctx.say("vaccination (90 ngày): đã có dữ liệu / already present")
        return
    Campaign.objects.create(name=name, target="booster", age_min=65, target_pct=80, starts_on=starts,
                            deadline=today + dt.timedelta(days=CAMPAIGN_DAYS), unit=ctx.province,
                            source="Kế hoạch tiêm chủng của Sở Y tế (dữ liệu mẫu)", created_by=ctx.users.get("health_dept"))
    eligible = (PersonVaccination.objects.filter(primary_done_on__isnull=False, booster1_on__isnull=True, commune__in=ctx.communes)
                .values("person_id"))
    people = (Person.objects.filter(pk__in=eligible, birth_year__lte=today.year - 66, merged_into__isnull=True)
              .exclude(id_number="").values_list("id_number", "full_name", "date_of_birth", "birth_year").order_by("id"))
    out = io.StringIO()
    w = SafeWriter(out)  # core.exports: the one CSV writer
    w.writerow(HEADER)
    n = 0
    for id_number, full_name, dob, birth_year in people:
        if rng.random() >= 0.45:
            continue
        n += 1
        day = starts + dt.timedelta(days=rng.randint(0, CAMPAIGN_DAYS))
        w.writerow((n, id_number, full_name, dob.strftime("%d/%m/%Y") if dob else str(birth_year), "", "Pfizer", "Nhắc lại", 1,
                    day.strftime("%d/%m/%Y"), f"PF{rng.randint(1000, 9999)}", "Trạm Y tế xã"))
    by = ctx.users.get("health_dept") or Operator()
    result = DoseImporter(by=by, mode="valid_only", today=today).run(out.getvalue().encode("utf-8"), "demo-chien-dich-nhac-lai.csv")
    ctx.say(f"vaccination (90 ngày): chiến dịch đang diễn ra, {result.imported:,} mũi nhắc lại / booster doses "
            f"({result.error_count} dòng bị từ chối)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE vaccination_personvaccination")
