"""The stakeholder's own payments and grants in the portal (/portal/payments/): see them, answer an offer.

Every object is looked up through the portal session's stakeholder, so another stakeholder's payment, or
another organisation's, is a 404 like a missing one. Declining needs no reason and costs nothing.
"""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from rightsloop.core.access import plausible_id
from rightsloop.portal.access import portal_view

from . import actions
from .models import Grant, Payment, PaymentState

ANSWERS = {"accept": PaymentState.ACCEPTED, "decline": PaymentState.DECLINED}


def has_payments(stakeholder) -> bool:
    """The portal menu shows the section only to someone who was offered something."""
    return (Payment.objects.filter(stakeholder=stakeholder).exists()
            or Grant.objects.filter(grantee=stakeholder).exists())


def _own(model, request, pk, field: str):
    if not plausible_id(pk):
        raise Http404
    found = model.objects.filter(pk=pk, **{field: request.portal.stakeholder}).first()
    if found is None:
        raise Http404
    return found


@portal_view
@require_GET
def index(request):
    stakeholder = request.portal.stakeholder
    payments = list(Payment.objects.filter(stakeholder=stakeholder).select_related("engagement")
                    .order_by("-offered_on", "-id"))
    grants = list(Grant.objects.filter(grantee=stakeholder).prefetch_related("tranches").order_by("-offered_on", "-id"))
    return render(request, "resourcing/portal/index.html", {
        "payments": payments, "grants": grants, "answered": request.GET.get("answered", ""),
    })


def _answer(request):
    return ANSWERS.get(request.POST.get("answer", ""))


@portal_view
@require_POST
def answer_payment(request, pk: int):
    payment = _own(Payment, request, pk, "stakeholder")
    answer = _answer(request)
    if answer is None or payment.state != PaymentState.OFFERED:
        return render(request, "resourcing/portal/answer_refused.html", {}, status=400)
    actions.move_payment(payment=payment, to=answer, by=None)
    return redirect(reverse("portal:payments:index") + f"?answered={answer}")


@portal_view
@require_POST
def answer_grant(request, pk: int):
    grant = _own(Grant, request, pk, "grantee")
    answer = _answer(request)
    if answer is None or grant.state != PaymentState.OFFERED:
        return render(request, "resourcing/portal/answer_refused.html", {}, status=400)
    actions.move_grant(grant=grant, to=answer, by=None)
    return redirect(reverse("portal:payments:index") + f"?answered={answer}")


urlpatterns = [
    path("", index, name="index"),
    path("<int:pk>/answer/", answer_payment, name="answer"),
    path("grants/<int:pk>/answer/", answer_grant, name="grant-answer"),
]
