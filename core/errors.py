"""A domain rule refused an input: the message in Vietnamese and English, shown as is to users and API clients."""


class Invalid(Exception):
    def __init__(self, vi: str, en: str, field: str | None = None):
        self.vi, self.en, self.field = vi, en, field
        super().__init__(f"{vi} / {en}")

    def __str__(self):
        return f"{self.vi} / {self.en}"

    def in_language(self) -> str:
        """The message in the request's active language (a page shows one, an API answer both)."""
        from django.utils.translation import get_language

        return self.en if (get_language() or "vi").startswith("en") else self.vi
