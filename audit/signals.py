"""Logins have no service function of ours (Django performs them), so they are recorded from auth signals."""
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .services import record


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    record(actor=user, action="login")


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        record(actor=user, action="logout")


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    record(actor=None, action="login_failed", actor_label=str(credentials.get("username", ""))[:150])
