"""The participant's voting page, reached by their signed link (/vote/<token>/, consensus/public_urls.py).

No sign-in (opted out visibly with @login_not_required), no JavaScript: one statement at a time with three plain
buttons, each a POST answered by a 303 to the next statement. The page speaks the participant's language when they
are a known stakeholder, else the browser's, and is never cached.

A link is its participant's own. The first vote made with it binds it to the device: the device gets a long-lived
HttpOnly cookie holding a random value, and the participant keeps only that value's SHA-256 (device_hash). Another
device opening a bound link is told so (403) and votes nothing; the facilitator can free the link for a new phone or
reissue it. Binding waits for the first vote, not the first view, so that a messaging app fetching the link to show
a preview cannot take it.

`ballot` and `BallotForms` are shared with the portal's exercises section (portal/sections/exercises.py).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from rightsloop.core.languages import language_for_stakeholder

from .. import links, routing
from ..actions.votes import STATEMENT_MAX_CHARS, cast_vote, submit_statement
from ..models import Exercise, ExerciseResult, Participant, Statement
from ..outcomes import outcome_for
from ..vocabulary import VoteChannel, VoteValue

# Staff pages of voting: none (the facilitator's side of links is consensus.views.exercises).
urlpatterns: list = []

DEVICE_COOKIE = "rl_vote_device"
# As long as browsers keep a cookie (400 days): an exercise may stay open for months.
DEVICE_COOKIE_AGE = 400 * 24 * 3600
VOTE_CHOICES = [(str(VoteValue.AGREE.value), VoteValue.AGREE.label),
                (str(VoteValue.DISAGREE.value), VoteValue.DISAGREE.label),
                (str(VoteValue.PASS.value), VoteValue.PASS.label)]


class VoteForm(forms.Form):
    statement = forms.IntegerField(min_value=0, max_value=2_000_000_000)
    value = forms.TypedChoiceField(choices=VOTE_CHOICES, coerce=int,
                                   error_messages={"invalid_choice": _("A vote is agree, disagree or pass.")})


class StatementForm(forms.Form):
    text = forms.CharField(label=_("Your statement"), widget=forms.Textarea(attrs={"rows": 3,
                                                                                    "maxlength": STATEMENT_MAX_CHARS}),
                           help_text=_("One idea, in a sentence or two. The facilitator reads it before others vote "
                                       "on it."))


@dataclass
class Ballot:
    """What the voting page shows a participant (the public page and the portal's)."""

    exercise: Exercise
    statement: Statement | None
    voted: int
    total: int
    may_write: bool
    outcome: object

    @property
    def finished(self) -> bool:
        return self.statement is None and self.total > 0


def _outcome(exercise: Exercise) -> list:
    # Most exercises have no finding turned into an input yet: a plain test spares the page the full read.
    if not ExerciseResult.objects.filter(run__exercise_id=exercise.pk).exists():
        return []
    return outcome_for(exercise)


def ballot(participant: Participant) -> Ballot:
    exercise = participant.exercise
    queue = routing.queue(participant)
    return Ballot(exercise=exercise, statement=queue.statement if exercise.is_open else None, voted=queue.voted,
                  total=queue.total, may_write=exercise.is_open and exercise.participants_may_write,
                  outcome=_outcome(exercise))


def statement_voted(participant: Participant, form: VoteForm) -> Statement | None:
    """The statement a vote form names (by its number, as the page shows it), in the participant's exercise."""
    return Statement.objects.filter(exercise_id=participant.exercise_id,
                                    number=form.cleaned_data["statement"]).first()


def form_errors(form: forms.Form, error: ValidationError) -> None:
    for name, problems in error.message_dict.items():
        form.add_error(name if name in form.fields else None, problems)


# The link and its device ---------------------------------------------------------------------------------------

def device_hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _cookie_value(request) -> str:
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    return value if 16 <= len(value) <= 100 else ""


def _same_device(participant: Participant, value: str) -> bool:
    return bool(value) and hmac.compare_digest(participant.device_hash, device_hash(value))


def _bind(request, participant: Participant) -> str | None:
    """Bind an unbound link to this device; the cookie value to set, or None when another device holds the link."""
    value = _cookie_value(request) or secrets.token_urlsafe(32)
    if participant.device_hash:
        return value if _same_device(participant, value) else None
    # Conditional: of two devices voting at once with a fresh link, one wins.
    if not Participant.objects.filter(pk=participant.pk, device_hash="").update(device_hash=device_hash(value)):
        participant.device_hash = Participant.objects.filter(pk=participant.pk).values_list(
            "device_hash", flat=True).first() or ""
        return value if _same_device(participant, value) else None
    participant.device_hash = device_hash(value)
    return value


def _language(request, participant: Participant) -> str:
    """The stakeholder's language (docs/languages.md) when the participant is one; else the request's."""
    participation = participant.participation
    if participation is not None and participation.stakeholder.erased_at is None:
        return language_for_stakeholder(participation.stakeholder)
    current = translation.get_language() or ""
    return current if current in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _plain(request, template: str, status: int):
    return render(request, f"consensus/voting/{template}", {}, status=status)


def voting_link(view):
    """Resolve the link (a dead one: the 404 page saying so), hold other devices off (403), speak the language."""

    @wraps(view)
    def page(request, token: str):
        participant = links.participant_for(token) if len(token) <= 400 else None
        if participant is None:
            response = _plain(request, "dead_link.html", 404)
        else:
            language = _language(request, participant)
            with translation.override(language):
                response = _serve(view, request, token, participant)
            response.headers["Content-Language"] = language
        add_never_cache_headers(response)
        return response

    return login_not_required(page)


def _serve(view, request, token: str, participant: Participant):
    if request.method == "POST":
        cookie = _bind(request, participant)
        if cookie is None:
            return _plain(request, "other_device.html", 403)
        response = view(request, token, participant)
        response.set_cookie(DEVICE_COOKIE, cookie, max_age=DEVICE_COOKIE_AGE, path="/vote/", httponly=True,
                            secure=request.is_secure() or settings.SESSION_COOKIE_SECURE, samesite="Lax")
        return response
    if participant.device_hash and not _same_device(participant, _cookie_value(request)):
        return _plain(request, "other_device.html", 403)
    return view(request, token, participant)


# The pages ---------------------------------------------------------------------------------------------------

def _page(request, token: str, participant: Participant, *, vote_form=None, statement_form=None, status=200):
    return render(request, "consensus/voting/page.html", {
        "ballot": ballot(participant),
        "organisation": participant.exercise.organisation,
        "vote_action": reverse("consensus-public:vote", args=[token]),
        "write_action": reverse("consensus-public:write", args=[token]),
        "vote_form": vote_form,
        "statement_form": statement_form or StatementForm(),
        "written": request.GET.get("written") == "1",
    }, status=status)


@voting_link
@require_http_methods(["GET", "POST"])
def vote(request, token: str, participant: Participant):
    if request.method == "GET":
        return _page(request, token, participant)
    form = VoteForm(request.POST)
    if form.is_valid():
        statement = statement_voted(participant, form)
        if statement is None:
            form.add_error("statement", _("This statement is not part of this exercise."))
        else:
            try:
                cast_vote(participant=participant, statement=statement, value=form.cleaned_data["value"],
                          channel=VoteChannel.LINK)
            except ValidationError as error:
                form_errors(form, error)
            else:
                return HttpResponseRedirect(reverse("consensus-public:vote", args=[token]), status=303)
    return _page(request, token, participant, vote_form=form, status=400)


@voting_link
@require_POST
def write(request, token: str, participant: Participant):
    form = StatementForm(request.POST)
    if form.is_valid():
        try:
            submit_statement(participant=participant, text=form.cleaned_data["text"])
        except ValidationError as error:
            form_errors(form, error)
        else:
            return HttpResponseRedirect(reverse("consensus-public:vote", args=[token]) + "?written=1", status=303)
    return _page(request, token, participant, statement_form=form, status=400)
