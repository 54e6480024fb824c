from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    default_language = forms.ChoiceField(label=_("Default language"), choices=settings.LANGUAGES)
    feedback_days = forms.IntegerField(
        label=_("Days to close the loop"), min_value=1, max_value=365,
        help_text=_("Applies to engagements created from now on; existing due dates never move."),
    )


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action"), required=False, max_length=64)
    actor = forms.CharField(label=_("User"), required=False, max_length=150)
    target = forms.CharField(label=_("Record (type:id)"), required=False, max_length=130)


def search_text(request, name: str, max_length: int = 100) -> str:
    """A free-text search parameter, trimmed and without control characters."""
    raw = request.GET.get(name, "")[:max_length]
    return "".join(ch for ch in raw if ch.isprintable()).strip()


class RetentionForm(forms.Form):
    """One period per kind of record the organisation keeps; empty means the default."""

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        for period in periods:
            self.fields[period.rule.key] = forms.IntegerField(
                label=period.rule.label, required=False, min_value=1, max_value=36500,
                initial=period.keep_days if period.customised else None,
                help_text=_("Days. Empty: the default of %(days)s days.") % {"days": period.rule.default_days},
            )
