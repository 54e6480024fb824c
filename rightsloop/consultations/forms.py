from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Consultation


class ConsultationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    question = forms.CharField(label=_("Question asked"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    starts_on = forms.DateField(label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Closes on"), widget=forms.DateInput(attrs={"type": "date"}), required=False)
    yes_no = forms.BooleanField(label=Consultation._meta.get_field("yes_no").verbose_name, required=False,
                                help_text=Consultation._meta.get_field("yes_no").help_text)
    issues_receipts = forms.BooleanField(
        label=Consultation._meta.get_field("issues_receipts").verbose_name, required=False,
        help_text=Consultation._meta.get_field("issues_receipts").help_text)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"starts_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("ends_on") and data.get("starts_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The consultation cannot close before it opens."))
        return data


class SettingsForm(forms.ModelForm):
    class Meta:
        model = Consultation
        fields = ["question", "yes_no", "issues_receipts", "published", "review_threshold"]
        widgets = {"question": forms.Textarea(attrs={"rows": 3})}

    def clean_review_threshold(self):
        value = self.cleaned_data["review_threshold"]
        if not 0 <= value <= 1:
            raise forms.ValidationError(_("Give a confidence between 0 and 1."))
        return value
