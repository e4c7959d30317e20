"""API token authentication: `Authorization: Token <key>`, one query for the token, its user and the user's unit.

Only the SHA-256 digest of a key is stored (accounts.models.ApiToken); a revoked or expired token, or one of an
inactive user, answers 401. The user is built from the one raw query with the columns permissions (has_role), scoping
(jurisdiction_unit) and the audit (username) read; any other field is fetched on first use. Checks arrive hundreds per
second (cases.api), and building this three-table query with the ORM cost more than running it.
"""
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import BooleanField
from django.utils import timezone
from rest_framework import authentication, exceptions

from .models import ApiToken


def _refused(vi: str, en: str):
    return exceptions.AuthenticationFailed(f"{vi} / {en}")


class TokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"
    USER_FIELDS = {"id", "username", "is_active", "is_superuser", "role", "unit_id", "facility_id", "agency_id", "region_id"}
    UNIT_FIELDS = {"id", "path", "structure"}
    _query = None  # (sql, user fields, unit fields), built on first use

    def get_model(self):
        return ApiToken

    @classmethod
    def _token_query(cls):
        if cls._query is None:
            user_model = get_user_model()
            unit = user_model._meta.get_field("unit")
            # In the models' field order: Model.from_db takes the values in that order.
            user_fields = [f for f in user_model._meta.concrete_fields if f.attname in cls.USER_FIELDS]
            unit_fields = [f for f in unit.related_model._meta.concrete_fields if f.attname in cls.UNIT_FIELDS]
            qn = connection.ops.quote_name
            t = ApiToken._meta
            sql = (f"SELECT t.{qn(t.pk.column)}, {', '.join('u.' + qn(f.column) for f in user_fields)}, "
                   f"{', '.join('g.' + qn(f.column) for f in unit_fields)} "
                   f"FROM {qn(t.db_table)} t "
                   f"JOIN {qn(user_model._meta.db_table)} u ON u.{qn(user_model._meta.pk.column)} = t.{qn(t.get_field('user').column)} "
                   f"LEFT JOIN {qn(unit.related_model._meta.db_table)} g ON g.{qn(unit.target_field.column)} = u.{qn(unit.column)} "
                   f"WHERE t.{qn(t.get_field('digest').column)} = %s AND t.{qn(t.get_field('revoked_at').column)} IS NULL "
                   f"AND t.{qn(t.get_field('expires_at').column)} > %s")
            cls._query = (sql, user_fields, unit_fields)
        return cls._query

    def authenticate_credentials(self, key):
        from .services import token_digest

        sql, user_fields, unit_fields = self._token_query()
        with connection.cursor() as cur:
            cur.execute(sql, [token_digest(key), timezone.now()])
            row = cur.fetchone()
        if row is None:
            raise _refused("Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi.", "Invalid, expired or revoked token.")
        token_id, row = row[0], row[1:]
        # SQLite answers booleans as 0/1.
        values = [bool(v) if isinstance(f, BooleanField) else v for f, v in zip(user_fields + unit_fields, row, strict=True)]
        user_model, unit_model, n = user_fields[0].model, unit_fields[0].model, len(user_fields)
        user = user_model.from_db(connection.alias, [f.attname for f in user_fields], values[:n])
        if not user.is_active:
            raise _refused("Tài khoản đã bị khóa.", "User inactive or deleted.")
        unit = unit_model.from_db(connection.alias, [f.attname for f in unit_fields], values[n:]) if user.unit_id else None
        user_model._meta.get_field("unit").set_cached_value(user, unit)
        token = ApiToken.from_db(connection.alias, ["id", "user_id"], [token_id, user.pk])
        ApiToken._meta.get_field("user").set_cached_value(token, user)
        # A token stands for a session that passed its second factor (accounts.views.tokens mints only there).
        user.is_verified = lambda: True
        return (user, token)
