"""Forms of the ledger pages: filters, an offer of payment, a grant with its tranches, and the moves."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from . import currencies
from .actions import PaymentTerms, TrancheTerms
from .models import Basis, PaymentKind, PaymentState, TrancheState
from .queries import LedgerFilters

REFERENCE_HELP = _("The reference of the transfer in your finance system. Never a bank account (IBAN) or card "
                   "number: Rightsloop stores no bank details and refuses them.")


class DateInput(forms.DateInput):
    input_type = "date"


class LedgerFilterForm(forms.Form):
    stakeholder = forms.IntegerField(label=_("Stakeholder number"), required=False, min_value=1, max_value=2**63 - 1)
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("Any")), *PaymentState.choices])
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    currency = forms.ChoiceField(label=_("Currency"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("Any")), *PaymentKind.choices, ("grant", _("Grant"))])

    def __init__(self, *args, years=(), in_use=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("Any")), *((y, str(y)) for y in years)]
        # Only the currencies the ledger holds: a filter on any other would find nothing.
        self.fields["currency"].choices = [("", _("Any")), *((code, f"{code} · {currencies.name(code)}")
                                                              for code in in_use)]

    def filters(self) -> LedgerFilters:
        if not self.is_valid():
            return LedgerFilters()
        data = self.cleaned_data
        return LedgerFilters(stakeholder=data["stakeholder"], state=data["state"], year=data["year"],
                             currency=data["currency"], kind=data["kind"])


class PaymentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PaymentKind.choices)
    engagement = forms.ModelChoiceField(label=_("For the engagement"), required=False, queryset=None,
                                        empty_label=_("None"))
    agreement = forms.ModelChoiceField(label=_("Under the agreement"), required=False, queryset=None,
                                       empty_label=_("None"))
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2,
                                help_text=_("More than zero, in the currency below; never converted."))
    currency = forms.ChoiceField(label=_("Currency"))
    basis = forms.ChoiceField(label=_("Basis"), choices=Basis.choices, initial=Basis.FLAT)
    quantity = forms.DecimalField(label=_("Hours or days"), required=False, max_digits=8, decimal_places=2,
                                  help_text=_("How many hours or days the amount pays for (not for a flat amount)."))
    offered_on = forms.DateField(label=_("Offered on"), widget=DateInput, initial=datetime.date.today)
    description = forms.CharField(label=_("Description"), required=False, max_length=2000, widget=forms.Textarea(
        attrs={"rows": 3}), help_text=_("What it is for. Cleared if the person is erased; the amount stays."))

    def __init__(self, *args, engagements, agreements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engagement"].queryset = engagements
        self.fields["agreement"].queryset = agreements
        self.fields["agreement"].label_from_instance = lambda agreement: _("Agreement of %(date)s (%(state)s)") % {
            "date": agreement.created_at.date().isoformat(), "state": agreement.get_state_display()}
        self.fields["currency"].choices = [("", "—"), *currencies.choices()]

    def terms(self) -> PaymentTerms:
        data = self.cleaned_data
        return PaymentTerms(kind=data["kind"], amount=data["amount"], currency=data["currency"], basis=data["basis"],
                            quantity=data["quantity"], description=data["description"], offered_on=data["offered_on"])


class MoveForm(forms.Form):
    """A state change; paying also asks for the reference and the date."""

    to = forms.ChoiceField(label=_("New state"), choices=PaymentState.choices, widget=forms.HiddenInput)
    payment_reference = forms.CharField(label=_("Payment reference"), required=False, max_length=80,
                                        help_text=REFERENCE_HELP)
    paid_on = forms.DateField(label=_("Paid on"), required=False, widget=DateInput)


class TrancheMoveForm(MoveForm):
    to = forms.ChoiceField(label=_("New state"), choices=TrancheState.choices, widget=forms.HiddenInput)


class GrantForm(forms.Form):
    funder = forms.CharField(label=_("Funder"), max_length=200,
                             help_text=_("The fund, foundation or part of the organisation the money comes from."))
    purpose = forms.CharField(label=_("Purpose"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    currency = forms.ChoiceField(label=_("Currency"))
    offered_on = forms.DateField(label=_("Offered on"), widget=DateInput, initial=datetime.date.today)
    schedule = forms.CharField(
        label=_("Tranches"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One tranche a line: the date it is due and the amount, e.g. “2027-01-15 5000”."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [("", "—"), *currencies.choices()]

    def clean_schedule(self) -> list[TrancheTerms]:
        from decimal import Decimal, InvalidOperation

        tranches = []
        for number, line in enumerate(self.cleaned_data["schedule"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.replace(";", " ").replace(",", " ").split()
            try:
                due_on = datetime.date.fromisoformat(parts[0])
                amount = Decimal(parts[1])
                if len(parts) != 2:
                    raise ValueError
            except (IndexError, ValueError, InvalidOperation):
                raise forms.ValidationError(
                    _("Line %(n)s: write the date (YYYY-MM-DD) and the amount, e.g. “2027-01-15 5000”."),
                    params={"n": number}) from None
            tranches.append(TrancheTerms(due_on=due_on, amount=amount))
        if not tranches:
            raise forms.ValidationError(_("A grant needs at least one tranche."))
        return tranches


class TrancheForm(forms.Form):
    due_on = forms.DateField(label=_("Due on"), widget=DateInput)
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2)
