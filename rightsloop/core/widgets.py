"""Form widgets whose HTML is written in Python, for choice lists long enough that templates cost time."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _


class FastSelectMixin:
    """Render <select> and its options without a template per option.

    Django renders every <option> through a template include: a list of 190 languages or 500
    participants costs several milliseconds per field. The markup is the same as Django's.
    """

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        if self.allow_multiple_selected:
            final["multiple"] = True
        selected = {str(v) for v in self.format_value(value)}
        options = []
        for option_value, label in self.choices:
            text = "" if option_value is None else str(option_value)
            options.append(format_html(
                '<option value="{}"{}>{}</option>', text, mark_safe(" selected") if text in selected else "",
                conditional_escape(label),
            ))
        return format_html("<select{}>\n{}\n</select>", flatatt(final), mark_safe("\n".join(options)))


class FastSelect(FastSelectMixin, forms.Select):
    pass


class FastSelectMultiple(FastSelectMixin, forms.SelectMultiple):
    pass


class SearchableSelectMultiple(FastSelectMultiple):
    """A long list (countries, languages, rights, the register) that js/forms.js gives a box to filter it by.

    Without JavaScript it is the plain <select multiple>: chosen with Ctrl or Cmd, searched by typing the first
    letters. The texts the script shows come from here, so they are translated like the page.
    """

    def __init__(self, attrs=None, choices=()):
        super().__init__({
            "size": 8, "data-searchable": "", "data-filter-placeholder": _("Type to filter the list"),
            "data-chosen-label": _("Chosen:"), **(attrs or {}),
        }, choices)


def shown_for(field, control: str, values, note: str) -> None:
    """Show `field` only while the form's `control` field holds one of `values` (js/forms.js hides it otherwise).

    Without JavaScript every field shows: `note` (when it applies) is added to its help text.
    """
    field.widget.attrs["data-shown-for"] = f"{control}:{' '.join(values)}"
    field.help_text = format_html("{} {}", field.help_text, note) if field.help_text else note
