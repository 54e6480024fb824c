"""Forms of the import pages: the file, its column mapping, and how to confirm."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from . import imports

ROLE_LABELS = {
    "text": _("Response text"),
    "respondent": _("Respondent id"),
    "contact": _("Contact (email address)"),
    "consent": _("Consent to be contacted (yes/no)"),
    "language": _("Language"),
    "receipt": _("Receipt code"),
}
ROLE_HELP = {
    "respondent": _("Responses with the same id belong to one respondent."),
    "contact": _("Sealed in the database and never shown in the analysis."),
    "consent": _("Without a consent column nobody is contacted."),
    "language": _("Left empty, the language is detected."),
}
# Column names that usually hold each part, to preselect the mapping.
GUESSES = {
    "text": r"text|response|answer|comment|feedback|antwort|beitrag|r[ée]ponse|respuesta",
    "respondent": r"respondent|participant|person|^id$|user",
    "contact": r"e-?mail|contact|kontakt|courriel",
    "consent": r"consent|einwillig|agree",
    "language": r"^lang|language|sprache|langue",
    "receipt": r"receipt|quittung|code",
}


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File of responses"), help_text=_(
        "CSV (comma, semicolon, tab or bar separated), JSON Lines (one object per line) or XLSX (first sheet), "
        "in UTF-8; the first row names the columns."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > imports.max_upload():
            raise forms.ValidationError(
                _("The file is too large: the largest file accepted is %(limit)s MB. Split it into smaller files.")
                % {"limit": imports.max_upload() // (1024 * 1024)})
        return upload


class MappingForm(forms.Form):
    def __init__(self, *args, columns: list[str], mapping: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(name, name) for name in columns]
        for role in imports.ROLES:
            required = role == "text"
            self.fields[role] = forms.ChoiceField(
                label=ROLE_LABELS[role], required=required, help_text=ROLE_HELP.get(role, ""),
                choices=([] if required else [("", _("— none —"))]) + choices)
        self.fields["attributes"] = forms.MultipleChoiceField(
            label=_("Other columns to keep as attributes"), required=False, choices=choices,
            widget=forms.CheckboxSelectMultiple,
            help_text=_("For filtering and counting later (age group, region…). Never the contact column."))
        if not self.is_bound:
            self.initial = mapping or guess_mapping(columns)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            return imports.clean_mapping(data, self.columns)
        except forms.ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return data

    @property
    def columns(self) -> list[str]:
        return [value for value, _label in self.fields["attributes"].choices]


def guess_mapping(columns: list[str]) -> dict:
    chosen: dict = {}
    taken: set[str] = set()
    for role, pattern in GUESSES.items():
        found = next((c for c in columns if c not in taken and re.search(pattern, c, re.IGNORECASE)), "")
        if role == "text" and not found and columns:
            found = columns[0] if len(columns) == 1 else ""
        chosen[role] = found
        if found:
            taken.add(found)
    return chosen


class ConfirmForm(forms.Form):
    only_valid = forms.TypedChoiceField(
        label=_("Which rows"), coerce=lambda value: value == "yes", initial="yes", widget=forms.RadioSelect,
        choices=[("yes", _("Import the valid rows; leave out the rows with problems")),
                 ("no", _("All or nothing: import only if no row has a problem"))])
