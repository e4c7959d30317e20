from django import template

from core.links import links_for

register = template.Library()


@register.inclusion_tag("core/_object_links.html", takes_context=True)
def object_links(context, obj):
    """Buttons to other capabilities' actions on this record (registered with core.links.register_link)."""
    return {"links": links_for(obj, context["request"].user)}
