"""API tokens were DRF's plain-text `authtoken_token` rows. Keep them working, stored only as digests (named "token
d'avant / earlier token", expiring after the usual lifetime), then drop the plain-text table and forget its app."""
import datetime as dt
import hashlib

from django.conf import settings
from django.db import migrations
from django.utils import timezone

OLD_TABLE = "authtoken_token"


def hash_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return  # a new installation, or already done
    ApiToken = apps.get_model("accounts", "ApiToken")
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute(f"SELECT {qn('key')}, {qn('user_id')} FROM {qn(OLD_TABLE)}")
        rows = cur.fetchall()
    now = timezone.now()
    expires = now + dt.timedelta(days=getattr(settings, "API_TOKEN_DAYS", 90))
    ApiToken.objects.bulk_create([
        ApiToken(user_id=user_id, name="Mã cũ / earlier token", digest=hashlib.sha256(key.encode()).hexdigest(),
                 prefix=key[:8], created_at=now, expires_at=expires)
        for key, user_id in rows
    ], batch_size=1000)
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE {qn(OLD_TABLE)}")
        # rest_framework.authtoken left INSTALLED_APPS: forget its migrations so that it could be installed again.
        cur.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_api_tokens_and_password_change")]
    operations = [migrations.RunPython(hash_tokens, migrations.RunPython.noop)]
