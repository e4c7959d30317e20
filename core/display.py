"""How stored text is shown to people: without the marks researchers left in seeded notes and sources."""
import re

# "[NF]" (not found in the original document), "[C]" (confirmed), "[I]" (indirect source), and references to
# the research notes ("(rules-research 2.1)", "(kienthuc 168870; rules-research 1.4)").
_TAGS = re.compile(r"\s*\[(?:NF|C|I)\]|\s*\([^()]*rules-research[^()]*\)")


def strip_research_tags(text):
    if not text:
        return text
    return _TAGS.sub("", str(text)).strip()


_ISO_DATETIME = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d")
_ISO_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")


def _labels_by_code() -> dict:
    """Each stored choice value that has one label across every model (ambiguous codes are left as they are)."""
    from django.apps import apps

    found: dict[str, set] = {}
    for model in apps.get_models():
        for f in model._meta.get_fields():
            for value, label in getattr(f, "choices", None) or []:
                if isinstance(value, str) and value != str(label):
                    found.setdefault(value, {}).setdefault(str(label), label)
    return {code: next(iter(labels.values())) for code, labels in found.items() if len(labels) == 1}


_LABELS: dict | None = None


def display_value(value):
    """A value recorded raw (an audit row's before/after) as a reader expects it: dd/mm/yyyy dates, local times,
    choice labels instead of codes, Có/Không."""
    global _LABELS
    import datetime as dt

    from django.utils import timezone
    from django.utils.translation import gettext

    if isinstance(value, bool):
        return gettext("Có") if value else gettext("Không")
    if not isinstance(value, str):
        return value
    if _ISO_DATETIME.match(value):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.strftime("%d/%m/%Y %H:%M")
    if _ISO_DATE.match(value):
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    if _LABELS is None:
        _LABELS = _labels_by_code()
    return _LABELS.get(value, value)
