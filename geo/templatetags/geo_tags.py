from django import template

register = template.Library()


@register.filter
def dotted(value):
    """1234567 → "1.234.567" (Vietnamese thousands separator)."""
    if value in (None, ""):
        return "—"
    try:
        return f"{int(value):,}".replace(",", ".")
    except (TypeError, ValueError):
        return value
