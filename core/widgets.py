"""Form widgets for large choice lists.

Django renders every <option> of a <select> through the template engine: a province user's village list
(1,200 options) took over a second per page. `FastSelect` writes the same markup in Python.
"""
from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


class FastSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = []
        for group_name, options, _index in widget["optgroups"]:
            rows = format_html_join(
                "", "<option value=\"{}\"{}>{}</option>",
                ((o["value"] if o["value"] is not None else "", mark_safe(" selected") if o["selected"] else "", o["label"])
                 for o in options),
            )
            parts.append(format_html('<optgroup label="{}">{}</optgroup>', group_name, rows) if group_name else rows)
        return format_html("<select name=\"{}\"{}>{}</select>", widget["name"], flatatt(widget["attrs"]), mark_safe("".join(parts)))
