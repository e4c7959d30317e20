"""The field app's receipts: one row per entry a phone sent and the server stored, keyed by the phone's idempotency key.

A resend of the same key (the network cut after the server stored it, a retry, a second sync) is answered from its
receipt as "duplicate", whatever kind of entry it was, and nothing is stored twice.
"""
from django.conf import settings
from django.db import models


class SyncReceipt(models.Model):
    key = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20)
    answer = models.JSONField(default=dict)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "at"], name="fieldapp_receipt_user_idx")]

    # Receipts are the sync's own bookkeeping, not place-bound records: each user sees his own.
    @classmethod
    def scope_for_user(cls, queryset, user):
        return queryset.filter(user=user)
