"""Forms for mending mistakes: correcting an input, withdrawing it, merging a duplicate, cancelling an engagement.

Kept beside forms.py rather than in it while other work edits that module; the same conventions apply.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from rightsloop.core.widgets import FastSelect

from .vocabulary import Attribution


class InputEditForm(forms.Form):
    # A participant's id, or relay_value() for a group's words relayed by its proxy (as InputForm).
    speaker = forms.ChoiceField(label=_("Who said it"), required=False, widget=FastSelect)
    attribution = forms.ChoiceField(label=_("Attribution"), choices=Attribution.choices)
    text = forms.CharField(label=_("What was said"), widget=forms.Textarea(attrs={"rows": 5}), max_length=20000)
    tags = forms.CharField(label=_("Themes"), required=False, max_length=300, help_text=_("Separate with commas."))

    def __init__(self, *args, speakers=None, relays=(), **kwargs):
        """speakers None: the viewer may not know who spoke, so who it was and how it is attributed stay as they are."""
        super().__init__(*args, **kwargs)
        if speakers is None:
            del self.fields["speaker"]
            del self.fields["attribution"]
        else:
            self.fields["speaker"].choices = [("", _("Not recorded")), *[(str(pk), label) for pk, label in speakers],
                                              *relays]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class MergeForm(forms.Form):
    duplicate = forms.TypedChoiceField(label=_("The input recorded twice"), coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args, duplicates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duplicate"].choices = list(duplicates)
