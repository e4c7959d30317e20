from django import template

from core.links import links_for

register = template.Library()


@register.inclusion_tag("core/_object_links.html", takes_context=True)
def object_links(context, obj):
    """Buttons to other capabilities' actions on this record (registered with core.links.register_link)."""
    return {"links": links_for(obj, context["request"].user)}


@register.simple_tag(takes_context=True)
def may_open(context, url_name, *args, **kwargs):
    """`{% may_open "app:name" as ok %}{% if ok %}<a …>{% endif %}`: show a link only to whom its view admits."""
    from core.access import may_open as allowed

    return allowed(context["request"].user, url_name, *args, **kwargs)


@register.filter
def label_of(value, choices_path: str):
    """`{{ dose.kind|label_of:"vaccination.models.DoseKind" }}`: a stored code shown as its translated label, never
    as the raw code ("booster" → "Nhắc lại"); a value outside the list is shown as is."""
    from django.utils.module_loading import import_string

    choices = import_string(choices_path)
    try:
        return choices(value).label
    except (ValueError, TypeError):
        return value


@register.filter
def without_research_tags(text):
    """Notes and sources as a reader sees them: without the researchers' marks ([NF], [C], "(rules-research 2.1)")."""
    from core.display import strip_research_tags

    return strip_research_tags(text)


@register.filter
def dmy(value):
    """A date kept as an ISO string in JSON (a directive's references) shown as dd/mm/yyyy; other values as they are."""
    import datetime as dt

    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value.strftime("%d/%m/%Y") if isinstance(value, dt.date) else value


@register.filter
def shown(value):
    """A raw recorded value (audit before/after) as a reader expects it (core.display.display_value)."""
    from core.display import display_value

    return display_value(value)


@register.inclusion_tag("core/_object_panels.html", takes_context=True)
def object_panels(context, obj):
    """Lists of other domains' records on this record's page (registered with core.panels.register_panel)."""
    from core.panels import panels_for

    return {"panels": panels_for(obj, context["request"].user)}
