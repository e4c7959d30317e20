"""Reference data: answer deadlines per kind of request and retention periods per record type, each with its source.
A changed text is a new row with its own effective date (the pages show which one applies)."""
import datetime as dt

from django.db import migrations

DECREE_13 = ("Nghị định 13/2023/NĐ-CP (Điều 14–16): 72 giờ kể từ khi nhận yêu cầu. Từ 01/01/2026: đối chiếu "
             "Luật 91/2025/QH15 và Nghị định 356/2025/NĐ-CP, thêm dòng mới nếu thời hạn khác")
DEFAULT_RETENTION = ("Mặc định của phongdich, Sở Y tế quyết định (tham khảo: hồ sơ bệnh án lưu ít nhất 10 năm theo "
                     "Luật Khám bệnh, chữa bệnh 2023)")


def seed(apps, schema_editor):
    DeadlineRule = apps.get_model("dataprotection", "DeadlineRule")
    RetentionRule = apps.get_model("dataprotection", "RetentionRule")
    for kind in ("access", "correction", "deletion", "restriction"):
        DeadlineRule.objects.get_or_create(kind=kind, effective_from=dt.date(2023, 7, 1),
                                           defaults={"days": 3, "source": DECREE_13})
    for record_type, date_field, action in [
        ("people.person", "updated_at", "pseudonymise"),
        ("cases.case", "confirmed_on", "review"),
        ("testing.test", "taken_on", "review"),
        ("contacts.contact", "last_exposure_on", "review"),
    ]:
        RetentionRule.objects.get_or_create(record_type=record_type, effective_from=dt.date(2026, 1, 1), defaults={
            "date_field": date_field, "years": 10, "action": action, "source": DEFAULT_RETENTION})


class Migration(migrations.Migration):
    dependencies = [("dataprotection", "0001_registers")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
