"""Forms of a consensus exercise's pages; each hands plain values to an action (actions/exercises.py), which checks
them again. (The claims pages keep their forms in their own module.)"""

from django import forms
from django.utils.translation import gettext_lazy as _

from rightsloop.core import languages as language_names

from .actions.exercises import MAX_AT_ONCE, MAX_STATEMENT_CHARS, MODERATION_CHOICES, SMALLEST_GROUP
from .vocabulary import Moderation, VoteValue


class ExerciseForm(forms.Form):
    question = forms.CharField(label=_("Question"), max_length=300,
                               help_text=_("What the statements answer, e.g. “How should messaging apps deal with "
                                           "child sexual abuse material without breaking encryption?”"))
    description = forms.CharField(label=_("What participants should know"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text=_("Shown above the statements on the voting page."))
    risk = forms.ModelChoiceField(label=_("Salient risk it informs"), queryset=None, required=False)
    decision = forms.ModelChoiceField(label=_("Strategic decision it informs"), queryset=None, required=False)
    participants_may_write = forms.BooleanField(
        label=_("Participants may add their own statements"), required=False, initial=True,
        help_text=_("Their statements wait for your moderation before anyone votes on them."))
    min_group_size = forms.IntegerField(
        label=_("Smallest group whose figures are shown"), initial=SMALLEST_GROUP, min_value=0,
        help_text=_("At least 5: a smaller group's votes can point at its members."))
    language = forms.ChoiceField(label=_("Language of the exercise"), required=False)

    def __init__(self, *args, risks, decisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk"].queryset = risks
        self.fields["risk"].label_from_instance = lambda risk: risk.title
        self.fields["decision"].queryset = decisions
        self.fields["decision"].label_from_instance = lambda decision: decision.title
        self.fields["language"].choices = [("", _("Not set")), *language_names.choices()]

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in (
            "question", "description", "risk", "decision", "participants_may_write", "min_group_size", "language")}


def exercise_initial(exercise) -> dict:
    return {"question": exercise.question, "description": exercise.description, "risk": exercise.risk_id,
            "decision": exercise.decision_id, "participants_may_write": exercise.participants_may_write,
            "min_group_size": exercise.min_group_size, "language": exercise.language}


class StatementForm(forms.Form):
    text = forms.CharField(label=_("Statement"), max_length=MAX_STATEMENT_CHARS,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("One idea, in words people can agree or disagree with."))


class ModerationForm(forms.Form):
    moderation = forms.ChoiceField(label=_("Moderation"), choices=[
        (value, label) for value, label in Moderation.choices if value in MODERATION_CHOICES])


class InviteForm(forms.Form):
    participations = forms.MultipleChoiceField(
        label=_("Participants of the engagement"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Each gets a voting link of their own. Those already invited are not listed."))
    link_only = forms.IntegerField(
        label=_("Links for people known only by their link"), required=False, min_value=0, max_value=MAX_AT_ONCE,
        help_text=_("For a workshop or a public meeting: print them as QR codes and hand one to each person."))

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participations"].choices = choices

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("participations") and not cleaned.get("link_only"):
            raise forms.ValidationError(_("Choose participants, or say how many link-only links to make."))
        return cleaned


class RoomSeatsForm(forms.Form):
    count = forms.IntegerField(label=_("People in the room"), min_value=1, max_value=MAX_AT_ONCE,
                               help_text=_("Each gets a number; you record their votes on the next form."))


VOTE_CHOICES = [("", _("Not recorded")), *[(str(value), label) for value, label in VoteValue.choices]]


class RoomVotesForm(forms.Form):
    """One statement, one row per room participant: agree, disagree, pass, or left as it was."""

    def __init__(self, *args, seats, **kwargs):
        super().__init__(*args, **kwargs)
        for seat in seats:
            self.fields[f"vote_{seat.pk}"] = forms.ChoiceField(
                label=_("Participant %(number)s") % {"number": seat.number}, choices=VOTE_CHOICES,
                required=False, widget=forms.RadioSelect)
        self.seats = {f"vote_{seat.pk}": seat for seat in seats}

    def votes(self) -> dict:
        return {self.seats[name]: int(value) for name, value in self.cleaned_data.items() if value != ""}
