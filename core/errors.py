"""A domain rule refused an input: the message in Vietnamese and English, shown as is to users and API clients."""


class Invalid(Exception):
    def __init__(self, vi: str, en: str, field: str | None = None):
        self.vi, self.en, self.field = vi, en, field
        super().__init__(f"{vi} / {en}")

    def __str__(self):
        return f"{self.vi} / {self.en}"
