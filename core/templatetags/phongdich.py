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
