"""Reads of the ledger, always scoped to what the viewer may see.

A payment or grant to a high-safety person exists only for those holding a grant on that person
(stakeholders.queries.hidden_from); a payment to an elevated- or high-safety person names them by their
pseudonym on every ledger page and in every export, unless their identity was revealed on their own page.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.http import Http404

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core.access import plausible_id
from rightsloop.stakeholders.pseudonyms import pseudonym
from rightsloop.stakeholders.queries import hidden_from
from rightsloop.stakeholders.vocabulary import SafetyLevel

from .models import Grant, Payment, PaymentState, Tranche, TrancheState

CENTS = Decimal("0.01")
PROTECTED_LEVELS = (SafetyLevel.ELEVATED, SafetyLevel.HIGH)


def ledger_name(stakeholder, *, revealed: bool = False) -> str:
    """The name the ledger shows: a pseudonym for anyone at elevated or high safety, unless revealed."""
    if stakeholder.is_erased or (stakeholder.safety_level in PROTECTED_LEVELS and not revealed):
        return pseudonym(stakeholder.pk)
    return stakeholder.name


def visible_payments(viewer: Viewer) -> QuerySet[Payment]:
    if not viewer.can(Capability.PAYMENTS_VIEW):
        return Payment.objects.none()
    return Payment.objects.for_organisation(viewer.organisation).exclude(stakeholder__in=hidden_from(viewer))


def visible_grants(viewer: Viewer) -> QuerySet[Grant]:
    if not viewer.can(Capability.PAYMENTS_VIEW):
        return Grant.objects.none()
    return Grant.objects.for_organisation(viewer.organisation).exclude(grantee__in=hidden_from(viewer))


def _one(queryset: QuerySet, pk):
    if not plausible_id(pk):
        raise Http404
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_payment(viewer: Viewer, pk) -> Payment:
    """The payment if the viewer may see it; 'not found' for missing and not-yours alike."""
    return _one(visible_payments(viewer).select_related("stakeholder", "engagement", "approved_by"), pk)


def access_grant(viewer: Viewer, pk) -> Grant:
    return _one(visible_grants(viewer).select_related("grantee", "approved_by"), pk)


def access_tranche(grant: Grant, pk) -> Tranche:
    """A tranche of a grant the viewer already reached through access_grant."""
    return _one(grant.tranches.all(), pk)


@dataclass(frozen=True)
class LedgerFilters:
    stakeholder: int | None = None
    state: str = ""
    year: int | None = None
    currency: str = ""
    kind: str = ""

    def payments(self, queryset: QuerySet[Payment]) -> QuerySet[Payment]:
        if self.stakeholder:
            queryset = queryset.filter(stakeholder_id=self.stakeholder)
        if self.state:
            queryset = queryset.filter(state=self.state)
        if self.year:
            queryset = queryset.filter(offered_on__year=self.year)
        if self.currency:
            queryset = queryset.filter(currency=self.currency)
        if self.kind:
            queryset = queryset.none() if self.kind == "grant" else queryset.filter(kind=self.kind)
        return queryset

    def grants(self, queryset: QuerySet[Grant]) -> QuerySet[Grant]:
        if self.kind and self.kind != "grant":
            return queryset.none()
        if self.stakeholder:
            queryset = queryset.filter(grantee_id=self.stakeholder)
        if self.state:
            queryset = queryset.filter(state=self.state)
        if self.year:
            queryset = queryset.filter(offered_on__year=self.year)
        if self.currency:
            queryset = queryset.filter(currency=self.currency)
        return queryset


def payment_list(viewer: Viewer, filters: LedgerFilters) -> QuerySet[Payment]:
    return (filters.payments(visible_payments(viewer)).select_related("stakeholder", "engagement")
            .order_by("-offered_on", "-id"))


def grant_list(viewer: Viewer, filters: LedgerFilters) -> QuerySet[Grant]:
    return (filters.grants(visible_grants(viewer)).select_related("grantee")
            .annotate(total=Sum("tranches__amount", filter=~Q(tranches__state=TrancheState.CANCELLED)),
                      tranche_count=Count("tranches"))
            .order_by("-offered_on", "-id"))


# Totals ----------------------------------------------------------------------

@dataclass
class Total:
    """What one stakeholder was offered, committed and paid in one currency in one year."""

    stakeholder_id: int
    year: int
    currency: str
    offered: Decimal = Decimal("0.00")
    committed: Decimal = Decimal("0.00")  # accepted or approved, not yet paid
    paid: Decimal = Decimal("0.00")
    stakeholder: object = None


_PAYMENT_BUCKET = {PaymentState.OFFERED: "offered", PaymentState.ACCEPTED: "committed",
                   PaymentState.APPROVED: "committed", PaymentState.PAID: "paid"}


def _tranche_bucket(grant_state: str, tranche_state: str) -> str | None:
    if tranche_state == TrancheState.CANCELLED:
        return None
    if tranche_state == TrancheState.PAID:
        return "paid"
    if grant_state == PaymentState.OFFERED:
        return "offered"
    if grant_state in (PaymentState.ACCEPTED, PaymentState.APPROVED):
        return "committed"
    return None


def totals(viewer: Viewer, filters: LedgerFilters, *, with_people: bool = True) -> list[Total]:
    """Per stakeholder, per year, per currency, never summed across currencies; in two grouped queries.

    A payment counts in the year it was offered, a tranche in the year it is due; declined and cancelled
    ones are not counted at all. Without people, `stakeholder` is left unset: a page that shows a slice of the
    rows reads (and decrypts) only that slice's people with `attach_people`.
    """
    rows: dict[tuple[int, int, str], Total] = {}

    def add(stakeholder_id, year, currency, bucket, amount):
        if bucket is None or amount is None:
            return
        key = (stakeholder_id, year, currency)
        total = rows.get(key) or rows.setdefault(key, Total(stakeholder_id, year, currency))
        # SQLite sums decimals without their places; every total reads as cents on both databases.
        setattr(total, bucket, (getattr(total, bucket) + amount).quantize(CENTS))

    payments = (filters.payments(visible_payments(viewer)).counted().annotate(year=ExtractYear("offered_on"))
                .order_by().values("stakeholder_id", "year", "currency", "state").annotate(sum=Sum("amount")))
    for row in payments:
        add(row["stakeholder_id"], row["year"], row["currency"], _PAYMENT_BUCKET.get(row["state"]), row["sum"])
    if filters.year:
        # The grant filter matches the offer's year; a tranche counts in the year it falls due.
        unyeared = LedgerFilters(filters.stakeholder, filters.state, None, filters.currency, filters.kind)
        tranches = Tranche.objects.filter(grant__in=unyeared.grants(visible_grants(viewer)).values("pk"),
                                          due_on__year=filters.year)
    else:
        tranches = Tranche.objects.filter(grant__in=filters.grants(visible_grants(viewer)).values("pk"))
    grouped = (tranches.annotate(year=ExtractYear("due_on")).order_by()
               .values("grant__grantee_id", "year", "grant__currency", "grant__state", "state")
               .annotate(sum=Sum("amount")))
    for row in grouped:
        add(row["grant__grantee_id"], row["year"], row["grant__currency"],
            _tranche_bucket(row["grant__state"], row["state"]), row["sum"])
    result = sorted(rows.values(), key=lambda t: (-t.year, t.stakeholder_id, t.currency))
    return attach_people(result) if with_people else result


def attach_people(rows: list[Total]) -> list[Total]:
    """Set each total's stakeholder, in one query for the lot."""
    from rightsloop.stakeholders.models import Stakeholder

    people = Stakeholder.objects.in_bulk({row.stakeholder_id for row in rows})
    for total in rows:
        total.stakeholder = people.get(total.stakeholder_id)
    return rows


def totals_by_currency(rows: list[Total]) -> list[Total]:
    """The column sums of a totals table, one line per year and currency (stakeholder_id 0)."""
    summed: dict[tuple[int, str], Total] = defaultdict(lambda: None)
    for row in rows:
        key = (row.year, row.currency)
        if summed[key] is None:
            summed[key] = Total(0, row.year, row.currency)
        for bucket in ("offered", "committed", "paid"):
            setattr(summed[key], bucket, getattr(summed[key], bucket) + getattr(row, bucket))
    return sorted(summed.values(), key=lambda t: (-t.year, t.currency))


def years(viewer: Viewer) -> list[int]:
    """Every year from the first offer to the last, for the year filter.

    The first and last offer dates are two reads at the ends of the (organisation, offered_on) index, where
    listing the distinct years would read every payment; a year between them without an offer is still a
    year one may filter on (it shows nothing). Hidden people's payments are left out of the range as well.
    """
    if not viewer.can(Capability.PAYMENTS_VIEW):
        return []
    found: set[int] = set()
    for queryset in (visible_payments(viewer), visible_grants(viewer)):
        ordered = queryset.order_by("offered_on").values_list("offered_on", flat=True)
        first, last = ordered.first(), ordered.last()
        if first and last:
            found |= set(range(first.year, last.year + 1))
    return sorted(found, reverse=True)


def currencies_in_use(viewer: Viewer) -> list[str]:
    found = set(visible_payments(viewer).order_by().values_list("currency", flat=True).distinct())
    found |= set(visible_grants(viewer).order_by().values_list("currency", flat=True).distinct())
    return sorted(found)


def of_stakeholder(viewer: Viewer, stakeholder) -> tuple[list[Payment], list[Grant]]:
    """A stakeholder's payments and grants, for the panel on their page."""
    payments = list(visible_payments(viewer).filter(stakeholder=stakeholder).order_by("-offered_on", "-id")[:20])
    grants = list(visible_grants(viewer).filter(grantee=stakeholder).order_by("-offered_on", "-id")[:20])
    return payments, grants
