"""Forms of the claims pages; each hands plain values to an action (actions/claims.py), which checks them again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from rightsloop.core import rights
from rightsloop.core.widgets import SearchableSelectMultiple
from rightsloop.engagements.queries import speaker_choices
from rightsloop.engagements.vocabulary import Attribution
from rightsloop.risks.models import Risk, StrategicDecision
from rightsloop.stakeholders.models import AffectedGroup, Representation
from rightsloop.stakeholders.queries import shown_name
from rightsloop.stakeholders.vocabulary import Kind

from .actions.claims import ClaimPlan
from .models import Claim


class ClaimForm(forms.Form):
    side = forms.CharField(label=_("Side"), max_length=80,
                           help_text=_("A few words naming the position, such as “Privacy” or “Child safety”; claims "
                                       "of one side share a column."))
    risk = forms.ModelChoiceField(label=_("Salient risk"), queryset=Risk.objects.none(), required=False,
                                  help_text=_("The matter: a salient risk, or a strategic decision below."))
    decision = forms.ModelChoiceField(label=_("Strategic decision"), queryset=StrategicDecision.objects.none(),
                                      required=False)
    holder = forms.ModelChoiceField(label=_("Held by a participant"), queryset=None, required=False,
                                    help_text=_("Leave both empty for a claim nobody is named for."))
    group = forms.ModelChoiceField(label=_("Held by an affected group"), queryset=AffectedGroup.objects.none(),
                                   required=False,
                                   help_text=_("A group heard through a credible proxy who takes part in the "
                                               "engagement."))
    attribution = forms.ChoiceField(label=_("Attribution"), choices=Attribution.choices,
                                    initial=Attribution.ANONYMISED)
    rights = forms.MultipleChoiceField(label=_("Rights invoked"), widget=SearchableSelectMultiple)
    statement = forms.CharField(label=_("The claim"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 4}))
    evidence = forms.CharField(label=_("Evidence"), max_length=20_000, required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))
    would_accept = forms.CharField(label=_("What its holder would accept"), max_length=20_000, required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, engagement, viewer, claim: Claim | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        organisation = engagement.organisation
        self.fields["risk"].queryset = Risk.objects.for_organisation(organisation).order_by("title")
        self.fields["decision"].queryset = StrategicDecision.objects.for_organisation(organisation).order_by("title")
        # The participants this viewer may know of, less people at risk heard through a proxy (their group holds
        # their claims), as "who said it" offers them; a current holder hidden from the viewer is kept as it is.
        offered = speaker_choices(engagement, viewer)
        names = {pk: shown_name(person, viewer) for pk, person, _proxy in offered}
        self.fields["holder"].queryset = engagement.participations.filter(pk__in=list(names))
        self.fields["holder"].label_from_instance = lambda participation: names[participation.pk]
        self.keeps_hidden_holder = claim is not None and claim.holder_id is not None and claim.holder_id not in names
        if self.keeps_hidden_holder:
            self.fields["holder"].help_text = _("The current holder is not shown to you: leave this empty to keep "
                                                "them.")
        proxies = engagement.participations.filter(stakeholder__kind=Kind.PROXY, via_proxy__isnull=True)
        self.fields["group"].queryset = AffectedGroup.objects.for_organisation(organisation).filter(
            pk__in=Representation.objects.current().filter(proxy__in=proxies.values("stakeholder_id"))
            .values("group_id")).order_by("name")
        self.fields["rights"].choices = rights.choices()

    def clean(self):
        data = super().clean()
        if "risk" in data and "decision" in data and (data["risk"] is None) == (data["decision"] is None):
            self.add_error("risk", _("Choose one matter: a salient risk or a strategic decision, not both."))
        if data.get("holder") is not None and data.get("group") is not None:
            self.add_error("holder", _("A claim is held by a participant or by an affected group, not both."))
        return data

    def plan(self, claim: Claim | None = None) -> ClaimPlan:
        data = self.cleaned_data
        holder = data["holder"]
        if holder is None and data["group"] is None and self.keeps_hidden_holder:
            holder = claim.holder
        return ClaimPlan(side=data["side"], statement=data["statement"], rights=data["rights"], risk=data["risk"],
                         decision=data["decision"], holder=holder, holder_group=data["group"],
                         attribution=data["attribution"], evidence=data["evidence"],
                         would_accept=data["would_accept"])


def claim_initial(claim: Claim) -> dict:
    return {"side": claim.side, "risk": claim.risk_id, "decision": claim.decision_id, "holder": claim.holder_id,
            "group": claim.holder_group_id, "attribution": claim.attribution, "rights": claim.rights,
            "statement": claim.statement, "evidence": claim.evidence, "would_accept": claim.would_accept}


class WeighingForm(forms.Form):
    how_weighed = forms.CharField(label=_("How the decision weighed this claim"), max_length=20_000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
