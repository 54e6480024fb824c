"""The resourcing ledger (P3): compensation, honoraria, expenses and grants.

Every amount is a Decimal in one ISO 4217 currency (currencies.py); the ledger never converts one currency
into another, so every total is per currency. No bank details are kept: a paid row carries only the
payment reference the finance system gave it (references.py refuses account and card numbers).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rightsloop.core.models import Organisation, OrganisationScopedQuerySet


class PaymentKind(models.TextChoices):
    COMPENSATION = "compensation", _("Compensation for time")
    HONORARIUM = "honorarium", _("Honorarium")
    EXPENSES = "expenses", _("Expenses")


class Basis(models.TextChoices):
    HOURS = "hours", _("Hours")
    DAYS = "days", _("Days")
    FLAT = "flat", _("Flat amount")


class PaymentState(models.TextChoices):
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    # Some stakeholders refuse payment to stay independent: recorded, never chased.
    DECLINED = "declined", _("Declined")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class TrancheState(models.TextChoices):
    # In context: a risk's mitigation is "planned" too, and the catalogues give the two different genders.
    PLANNED = "planned", pgettext_lazy("tranche state", "Planned")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


# Which state each state may move to; anything else is refused (actions.py).
PAYMENT_MOVES: dict[str, frozenset[str]] = {
    PaymentState.OFFERED: frozenset({PaymentState.ACCEPTED, PaymentState.DECLINED, PaymentState.CANCELLED}),
    PaymentState.ACCEPTED: frozenset({PaymentState.APPROVED, PaymentState.CANCELLED}),
    PaymentState.APPROVED: frozenset({PaymentState.PAID, PaymentState.CANCELLED}),
    PaymentState.DECLINED: frozenset(),
    PaymentState.PAID: frozenset(),
    PaymentState.CANCELLED: frozenset(),
}
# A grant is offered, accepted (or declined), approved and cancelled as a whole; it is paid tranche by tranche.
GRANT_MOVES: dict[str, frozenset[str]] = {
    PaymentState.OFFERED: frozenset({PaymentState.ACCEPTED, PaymentState.DECLINED, PaymentState.CANCELLED}),
    PaymentState.ACCEPTED: frozenset({PaymentState.APPROVED, PaymentState.CANCELLED}),
    PaymentState.APPROVED: frozenset({PaymentState.CANCELLED}),
    PaymentState.DECLINED: frozenset(),
    PaymentState.PAID: frozenset(),
    PaymentState.CANCELLED: frozenset(),
}
TRANCHE_MOVES: dict[str, frozenset[str]] = {
    TrancheState.PLANNED: frozenset({TrancheState.APPROVED, TrancheState.CANCELLED}),
    TrancheState.APPROVED: frozenset({TrancheState.PAID, TrancheState.CANCELLED}),
    TrancheState.PAID: frozenset(),
    TrancheState.CANCELLED: frozenset(),
}
AMOUNT = {"max_digits": 14, "decimal_places": 2}


class PaymentQuerySet(OrganisationScopedQuerySet):
    def counted(self):
        """Rows that count in totals: declined and cancelled ones are kept, never added up."""
        return self.exclude(state__in=[PaymentState.DECLINED, PaymentState.CANCELLED])


class Payment(models.Model):
    """Money offered to one stakeholder for their time, as an honorarium, or for their expenses."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="payments")
    # No part of the product deletes a stakeholder: erasure keeps the row, anonymous, and with it this
    # financial record. Only removing the organisation's data as a whole (the demo's reset) takes both.
    stakeholder = models.ForeignKey("stakeholders.Stakeholder", verbose_name=_("stakeholder"),
                                    on_delete=models.CASCADE, related_name="payments")
    kind = models.CharField(_("kind"), max_length=16, choices=PaymentKind.choices)
    engagement = models.ForeignKey("engagements.Engagement", verbose_name=_("engagement"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="payments")
    # Compensation under the stakeholder's agreement (P1) rather than for one engagement.
    agreement = models.ForeignKey("relationships.Agreement", verbose_name=_("agreement"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="payments")
    amount = models.DecimalField(_("amount"), **AMOUNT)
    currency = models.CharField(_("currency"), max_length=3)
    basis = models.CharField(_("basis"), max_length=8, choices=Basis.choices, default=Basis.FLAT)
    quantity = models.DecimalField(_("quantity"), max_digits=8, decimal_places=2, null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    offered_on = models.DateField(_("offered on"))
    state = models.CharField(_("state"), max_length=12, choices=PaymentState.choices, default=PaymentState.OFFERED)
    answered_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=80, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = [
            models.Index(fields=["organisation", "offered_on"]),
            models.Index(fields=["organisation", "stakeholder", "state"]),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self) -> str:
        return f"payment {self.pk}"

    @property
    def moves(self) -> frozenset[str]:
        return PAYMENT_MOVES[self.state]


class Grant(models.Model):
    """A grant to a civil society organisation, paid in tranches on a schedule."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="grants")
    grantee = models.ForeignKey("stakeholders.Stakeholder", verbose_name=_("grantee"), on_delete=models.CASCADE,
                                related_name="grants_received")  # as Payment.stakeholder
    funder = models.CharField(_("funder"), max_length=200)
    purpose = models.TextField(_("purpose"))
    currency = models.CharField(_("currency"), max_length=3)
    state = models.CharField(_("state"), max_length=12, choices=PaymentState.choices, default=PaymentState.OFFERED)
    offered_on = models.DateField(_("offered on"))
    answered_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        indexes = [models.Index(fields=["organisation", "grantee", "state"])]

    def __str__(self) -> str:
        return f"grant {self.pk}"

    @property
    def moves(self) -> frozenset[str]:
        return GRANT_MOVES[self.state]


class Tranche(models.Model):
    """One scheduled instalment of a grant, with its own state."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="tranches")
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount"), **AMOUNT)
    state = models.CharField(_("state"), max_length=12, choices=TrancheState.choices, default=TrancheState.PLANNED)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=80, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        ordering = ["due_on", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="tranche_amount_positive")]

    def __str__(self) -> str:
        return f"tranche {self.pk}"

    @property
    def moves(self) -> frozenset[str]:
        return TRANCHE_MOVES[self.state]
