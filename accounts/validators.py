import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class MixedCharacterValidator:
    """A password needs letters and digits (or symbols): shared phones and simple PINs are the common risk."""

    def validate(self, password, user=None):
        if not re.search(r"[A-Za-zÀ-ỹ]", password) or not re.search(r"[^A-Za-zÀ-ỹ]", password):
            raise ValidationError(
                _("Mật khẩu phải có cả chữ cái và chữ số hoặc ký tự đặc biệt."), code="password_not_mixed"
            )

    def get_help_text(self):
        return _("Mật khẩu phải có cả chữ cái và chữ số hoặc ký tự đặc biệt.")
