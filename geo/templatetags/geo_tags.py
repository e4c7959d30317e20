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


@register.inclusion_tag("geo/_structure_switch.html", takes_context=True)
def structure_switch(context, structure=None):
    """“Theo địa giới: hiện hành / trước 01/07/2025”: two links that keep the page's other query parameters and set
    ?structure= (geo.areas.structure_from_request reads it). `structure`: the one shown (default: the request's)."""
    from geo import areas

    request = context.get("request")
    current = structure or (areas.structure_from_request(request) if request is not None else areas.installation_structure())
    options = []
    for value in (areas.FROM_2025, areas.PRE_2025):
        params = request.GET.copy() if request is not None else None
        if params is not None:
            params[areas.STRUCTURE_PARAM] = value
            for key in ("page", "don_vi", "commune"):  # a unit or a page number of the other structure means nothing here
                params.pop(key, None)
        options.append({"value": value, "url": f"?{params.urlencode()}" if params is not None else f"?structure={value}",
                        "current": value == current})
    return {"options": options, "current": current}
