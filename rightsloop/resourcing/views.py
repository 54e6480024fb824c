"""Staff pages of the resourcing ledger: the list with its totals, offers, grants and their moves, exports."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability
from rightsloop.core.forms import copy_errors
from rightsloop.core.pagination import paginate, query_without_page
from rightsloop.engagements.models import Engagement
from rightsloop.relationships.models import Agreement
from rightsloop.stakeholders import reveals
from rightsloop.stakeholders.queries import access_stakeholder

from . import actions, exports, queries
from .forms import GrantForm, LedgerFilterForm, MoveForm, PaymentForm, TrancheForm, TrancheMoveForm
from .models import PaymentState, TrancheState


def _name(request, stakeholder) -> str:
    return queries.ledger_name(stakeholder, revealed=reveals.is_revealed(request, stakeholder))


def _filter_form(request) -> LedgerFilterForm:
    return LedgerFilterForm(request.GET or None, years=queries.years(request.viewer),
                            in_use=queries.currencies_in_use(request.viewer))


@requires(Capability.PAYMENTS_VIEW)
@require_GET
def ledger(request):
    viewer = request.viewer
    form = _filter_form(request)
    filters = form.filters()
    page = paginate(request, queries.payment_list(viewer, filters))
    for payment in page.object_list:
        payment.shown_name = _name(request, payment.stakeholder)
    grants = list(queries.grant_list(viewer, filters)[:50])
    for grant in grants:
        grant.shown_name = _name(request, grant.grantee)
    return render(request, "resourcing/ledger.html", {
        "form": form, "page": page, "query": query_without_page(request), "grants": grants,
        "can_edit": viewer.can(Capability.PAYMENTS_EDIT), "export_query": request.GET.urlencode(),
    })


@requires(Capability.PAYMENTS_VIEW)
@require_GET
def totals(request):
    form = _filter_form(request)
    rows = queries.totals(request.viewer, form.filters(), with_people=False)
    # The per-currency sums add up every row; the per-stakeholder table shows a page of them, and only that
    # page's people are read and named (at 100,000 payments the whole table was 10 MB).
    page = paginate(request, rows)
    for row in queries.attach_people(list(page.object_list)):
        row.shown_name = _name(request, row.stakeholder)
    return render(request, "resourcing/totals.html", {
        "form": form, "page": page, "rows": page.object_list, "query": query_without_page(request),
        "sums": queries.totals_by_currency(rows),
    })


@requires(Capability.PAYMENTS_VIEW)
@require_GET
def ledger_export(request):
    fmt = request.GET.get("format", "csv")
    if fmt not in exports.FORMATS:
        return render(request, "resourcing/export_error.html", {"formats": exports.FORMATS}, status=400)
    filters = _filter_form(request).filters()
    payments = queries.payment_list(request.viewer, filters)
    grants = queries.grant_list(request.viewer, filters).prefetch_related("tranches")
    response = HttpResponse(exports.export(payments, grants, fmt), content_type=exports.CONTENT_TYPES[fmt])
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="ledger-{request.viewer.organisation.slug}-{stamp}.{fmt}"')
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _agreements_of(stakeholder):
    return Agreement.objects.filter(organisation=stakeholder.organisation, stakeholder=stakeholder).order_by(
        "-created_at")


def _engagements_of(stakeholder):
    return Engagement.objects.filter(organisation=stakeholder.organisation,
                                     participations__stakeholder=stakeholder).distinct().order_by("-starts_on")


@requires(Capability.PAYMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def payment_create(request, stakeholder_pk: int):
    stakeholder = access_stakeholder(request.viewer, stakeholder_pk)
    form = PaymentForm(request.POST or None, engagements=_engagements_of(stakeholder),
                       agreements=_agreements_of(stakeholder))
    if request.method == "POST" and form.is_valid():
        try:
            payment = actions.offer_payment(stakeholder=stakeholder, terms=form.terms(),
                                            engagement=form.cleaned_data["engagement"],
                                            agreement=form.cleaned_data["agreement"], by=request.viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Payment offered."))
            return redirect("resourcing:payment", pk=payment.pk)
    return render(request, "resourcing/payment_form.html", {
        "form": form, "shown_name": _name(request, stakeholder), "stakeholder": stakeholder,
    }, status=400 if request.method == "POST" else 200)


@requires(Capability.PAYMENTS_VIEW)
@require_GET
def payment_detail(request, pk: int):
    payment = queries.access_payment(request.viewer, pk)
    return _payment_page(request, payment)


def _payment_page(request, payment, *, move_form=None, status=200):
    viewer = request.viewer
    moves = [state for state in PaymentState if state in payment.moves
             and (state not in (PaymentState.APPROVED, PaymentState.PAID) or viewer.can(Capability.PAYMENTS_APPROVE))]
    return render(request, "resourcing/payment.html", {
        "payment": payment, "shown_name": _name(request, payment.stakeholder),
        "can_edit": viewer.can(Capability.PAYMENTS_EDIT), "moves": moves,
        "move_form": move_form or MoveForm(initial={"to": PaymentState.PAID, "paid_on": timezone.localdate()}),
    }, status=status)


@requires(Capability.PAYMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def payment_edit(request, pk: int):
    payment = queries.access_payment(request.viewer, pk)
    initial = {field: getattr(payment, field) for field in
               ("kind", "amount", "currency", "basis", "quantity", "offered_on", "description")}
    initial["engagement"], initial["agreement"] = payment.engagement_id, payment.agreement_id
    form = PaymentForm(request.POST or None, initial=initial, engagements=_engagements_of(payment.stakeholder),
                       agreements=_agreements_of(payment.stakeholder))
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_payment(payment=payment, terms=form.terms(), engagement=form.cleaned_data["engagement"],
                                   agreement=form.cleaned_data["agreement"], by=request.viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Offer changed."))
            return redirect("resourcing:payment", pk=payment.pk)
    return render(request, "resourcing/payment_form.html", {
        "form": form, "payment": payment, "shown_name": _name(request, payment.stakeholder),
        "stakeholder": payment.stakeholder,
    }, status=400 if request.method == "POST" else 200)


@requires(Capability.PAYMENTS_EDIT)
@require_POST
def payment_move(request, pk: int):
    payment = queries.access_payment(request.viewer, pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            actions.move_payment(payment=payment, to=form.cleaned_data["to"], by=request.viewer,
                                 payment_reference=form.cleaned_data["payment_reference"],
                                 paid_on=form.cleaned_data["paid_on"])
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Payment now: %(state)s.") % {
                "state": PaymentState(form.cleaned_data["to"]).label})
            return redirect("resourcing:payment", pk=payment.pk)
    payment.refresh_from_db()
    return _payment_page(request, payment, move_form=form, status=400)


# Grants ----------------------------------------------------------------------

@requires(Capability.PAYMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def grant_create(request, stakeholder_pk: int):
    grantee = access_stakeholder(request.viewer, stakeholder_pk)
    form = GrantForm(request.POST or None, initial={"funder": request.viewer.organisation.name})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grant = actions.offer_grant(grantee=grantee, funder=data["funder"], purpose=data["purpose"],
                                        currency=data["currency"], tranches=data["schedule"],
                                        offered_on=data["offered_on"], by=request.viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Grant offered."))
            return redirect("resourcing:grant", pk=grant.pk)
    return render(request, "resourcing/grant_form.html", {
        "form": form, "shown_name": _name(request, grantee), "stakeholder": grantee,
    }, status=400 if request.method == "POST" else 200)


def _grant_page(request, grant, *, status=200, tranche_form=None, move_form=None, failed_tranche=None):
    viewer = request.viewer
    approver = viewer.can(Capability.PAYMENTS_APPROVE)
    tranches = list(grant.tranches.all())
    for tranche in tranches:
        tranche.allowed = [s for s in TrancheState if s in tranche.moves and (
            s == TrancheState.CANCELLED or (approver and grant.state == PaymentState.APPROVED))]
        tranche.form = move_form if failed_tranche == tranche.pk else TrancheMoveForm(
            initial={"to": TrancheState.PAID, "paid_on": timezone.localdate()})
        # One form per tranche on the page: ids of their fields must not repeat.
        tranche.form.auto_id = f"id_tranche{tranche.pk}_%s"
    moves = [s for s in PaymentState if s in grant.moves and (s != PaymentState.APPROVED or approver)]
    return render(request, "resourcing/grant.html", {
        "grant": grant, "tranches": tranches, "shown_name": _name(request, grant.grantee),
        "can_edit": viewer.can(Capability.PAYMENTS_EDIT), "moves": moves,
        "total": sum((t.amount for t in tranches if t.state != TrancheState.CANCELLED), start=0),
        "paid": sum((t.amount for t in tranches if t.state == TrancheState.PAID), start=0),
        "tranche_form": tranche_form or TrancheForm(),
    }, status=status)


@requires(Capability.PAYMENTS_VIEW)
@require_GET
def grant_detail(request, pk: int):
    return _grant_page(request, queries.access_grant(request.viewer, pk))


@requires(Capability.PAYMENTS_EDIT)
@require_POST
def grant_move(request, pk: int):
    grant = queries.access_grant(request.viewer, pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            actions.move_grant(grant=grant, to=form.cleaned_data["to"], by=request.viewer)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return _grant_page(request, grant, status=400)
        messages.success(request, _("Grant now: %(state)s.") % {"state": PaymentState(form.cleaned_data["to"]).label})
        return redirect("resourcing:grant", pk=grant.pk)
    return _grant_page(request, grant, status=400)


@requires(Capability.PAYMENTS_EDIT)
@require_POST
def tranche_add(request, pk: int):
    grant = queries.access_grant(request.viewer, pk)
    form = TrancheForm(request.POST)
    if form.is_valid():
        try:
            actions.add_tranche(grant=grant, terms=actions.TrancheTerms(**form.cleaned_data), by=request.viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Tranche added."))
            return redirect("resourcing:grant", pk=grant.pk)
    return _grant_page(request, grant, status=400, tranche_form=form)


@requires(Capability.PAYMENTS_EDIT)
@require_POST
def tranche_move(request, pk: int, tranche_pk: int):
    grant = queries.access_grant(request.viewer, pk)
    tranche = queries.access_tranche(grant, tranche_pk)
    form = TrancheMoveForm(request.POST)
    if form.is_valid():
        try:
            actions.move_tranche(tranche=tranche, to=form.cleaned_data["to"], by=request.viewer,
                                 payment_reference=form.cleaned_data["payment_reference"],
                                 paid_on=form.cleaned_data["paid_on"])
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Tranche now: %(state)s.") % {
                "state": TrancheState(form.cleaned_data["to"]).label})
            return redirect("resourcing:grant", pk=grant.pk)
    return _grant_page(request, grant, status=400, move_form=form, failed_tranche=tranche.pk)
