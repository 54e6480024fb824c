"""Closing the loop of a consultation: the decision on each final theme, who can be written to, and the one
message each address receives, in its language, listing the themes its responses fell under.

Read by the sending action, the messages page, the API and the public pages; nothing here writes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rightsloop.core.languages import stakeholder_language
from rightsloop.engagements.vocabulary import Outcome

from .models import (
    Consultation,
    DuplicateGroup,
    MessageRun,
    Respondent,
    RespondentMessage,
    SendingState,
    Stance,
    Theme,
    ThemeAssignment,
    ThemeStatus,
)

# A run whose worker has not reported for this long is taken for dead (killed, machine restarted): the page
# shows it interrupted and it may be resumed. A batch takes seconds, so a live worker is never mistaken.
STALE_AFTER = datetime.timedelta(minutes=2)
# The rate shown while sending is measured over this window.
RATE_WINDOW = datetime.timedelta(seconds=60)


# Decisions per theme ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ThemeOutcome:
    """A final theme and the decision standing on it, as respondents and the public read it."""

    theme_id: int
    label: str
    description: str
    size: int
    stance: tuple[tuple[str, int], ...]
    outcome: str
    rationale: str
    next_step: str
    next_step_due: datetime.date | None

    @property
    def outcome_label(self):
        # Lazy: rendered in whichever language is active (the respondent's, the page's).
        return Outcome(self.outcome).label if self.outcome else _("Not decided yet")


def stance_split(theme: Theme, consultation: Consultation) -> tuple[tuple[str, int], ...]:
    """For, against and unclear counts of a theme, only when the consultation asked to agree or disagree."""
    if not consultation.yes_no or not isinstance(theme.stance, dict):
        return ()
    return tuple((value, int(theme.stance.get(value, 0) or 0)) for value in Stance.values)


def final_themes(consultation: Consultation) -> QuerySet[Theme]:
    return consultation.themes.final().select_related("current_decision").order_by("position", "id")


def unconfirmed_labels(consultation: Consultation) -> list[str]:
    """Labels of final themes no person has written or confirmed: they hold publishing and sending back."""
    return list(final_themes(consultation).label_unconfirmed().values_list("label", flat=True))


def withheld_themes(consultation: Consultation) -> int:
    """Final themes left off the public page and out of messages until their label is confirmed."""
    return consultation.themes.final().label_unconfirmed().count()


def theme_outcomes(consultation: Consultation) -> list[ThemeOutcome]:
    """What respondents and the public read: final themes under a label a person wrote or confirmed, with the
    stance counts only where the analyst reviewed them. A machine's words are never published as ours."""
    outcomes = []
    for theme in final_themes(consultation).label_confirmed():
        decision = theme.current_decision
        outcomes.append(ThemeOutcome(
            theme_id=theme.pk, label=theme.label, description=theme.description, size=theme.size,
            stance=stance_split(theme, consultation) if theme.stance_reviewed else (),
            outcome=decision.outcome if decision else "",
            rationale=decision.rationale if decision else "",
            next_step=decision.next_step if decision else "",
            next_step_due=decision.next_step_due if decision else None,
        ))
    return outcomes


@dataclass(frozen=True)
class CampaignDisclosure:
    """An organised campaign as the public page discloses it: how many responses, how many versions, which themes
    its responses fell under. Never its text: a sender's edits can name them."""

    size: int
    variants: int
    themes: tuple[str, ...]


def campaigns(consultation: Consultation, outcomes: list[ThemeOutcome]) -> list[CampaignDisclosure]:
    """The consultation's organised campaigns, largest first, with the final themes of their responses.

    A campaign's copies are placed where its representative is (actions.analysis), so the representative's
    final themes are the campaign's. Two queries, whatever the number of campaigns."""
    groups = list(DuplicateGroup.objects.filter(consultation=consultation).campaigns().order_by("-size", "id")
                  .values_list("representative_id", "size", "variants"))
    labels = {outcome.theme_id: outcome.label for outcome in outcomes}
    placed: dict[int, list[int]] = {}
    for response_id, theme_id in (ThemeAssignment.objects.filter(
            response_id__in=[group[0] for group in groups], theme__status=ThemeStatus.FINAL)
            .order_by("theme__position", "theme_id").values_list("response_id", "theme_id")) if groups else ():
        placed.setdefault(response_id, []).append(theme_id)
    return [CampaignDisclosure(size=size, variants=variants, themes=tuple(
        labels[theme_id] for theme_id in placed.get(representative, []) if theme_id in labels))
        for representative, size, variants in groups]


def sending_blockers(consultation: Consultation) -> list[str]:
    """Why messages cannot go out yet: no final themes, or final themes still without a decision."""
    themes = list(final_themes(consultation).only("id", "label", "current_decision"))
    if not themes:
        return [_("There are no final themes yet: finalise the themes before telling respondents what became "
                  "of what they said.")]
    blockers = []
    undecided = [theme.label for theme in themes if theme.current_decision_id is None]
    if undecided:
        blockers.append(_("Decide on every final theme first. Still without a decision: %(themes)s.")
                        % {"themes": ", ".join(f"“{label}”" for label in undecided)})
    unconfirmed = unconfirmed_labels(consultation)
    if unconfirmed:
        blockers.append(_("Confirm or rewrite the label of every final theme first: respondents read them. Still "
                          "to confirm: %(themes)s.") % {"themes": ", ".join(f"“{label}”" for label in unconfirmed)})
    return blockers


# Who can be written to --------------------------------------------------------------------------------------

def reachable(consultation: Consultation) -> QuerySet[Respondent]:
    """Respondents who left a contact and agreed to be told the outcome, at an address nobody refused under.

    One address may answer under several respondent ids; a refusal given under any of them wins over a yes given
    under another, since it is the same inbox.
    """
    refused = Respondent.objects.filter(consultation=consultation, refused=True,
                                        contact_index=OuterRef("contact_index"))
    return (Respondent.objects.filter(consultation=consultation, consented=True).exclude(contact_index="")
            .exclude(Exists(refused)))


def waiting_addresses(consultation: Consultation) -> QuerySet:
    """Addresses of reachable respondents that no run has claimed yet, in a stable order, each once."""
    claimed = RespondentMessage.objects.filter(consultation=consultation, contact_index=OuterRef("contact_index"))
    return (reachable(consultation).exclude(Exists(claimed)).order_by("contact_index")
            .values_list("contact_index", flat=True).distinct())


def is_active(run: MessageRun, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return run.state == SendingState.RUNNING and (run.heartbeat_at or run.started_at) >= now - STALE_AFTER


def shown_state(run: MessageRun, now: datetime.datetime | None = None) -> str:
    """The run's state as people should read it: a running run whose worker went silent is interrupted."""
    if run.state == SendingState.RUNNING and not is_active(run, now):
        return SendingState.INTERRUPTED
    return run.state


@dataclass
class SendingCounts:
    respondents: int
    without_contact: int
    without_consent: int
    eligible: int  # distinct addresses of reachable respondents
    sent: int
    failed: int
    unknown: int  # claimed by a run that died before the backend confirmed: never resent
    in_flight: int  # claimed by the active run, not yet confirmed
    waiting: int  # not claimed by any run yet


@dataclass
class Progress:
    run: MessageRun
    state: str
    state_label: str
    done: int
    total: int
    rate: float | None  # messages a second over the last minute, while sending
    seconds_left: int | None
    active: bool = field(default=False)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def sending_counts(consultation: Consultation, now: datetime.datetime | None = None) -> SendingCounts:
    now = now or timezone.now()
    people = Respondent.objects.filter(consultation=consultation).aggregate(
        total=Count("id"),
        without_contact=Count("id", filter=Q(contact_index="")),
        without_consent=Count("id", filter=~Q(contact_index="") & Q(consented=False)),
    )
    active = [run.pk for run in consultation.message_runs.filter(state=SendingState.RUNNING) if is_active(run, now)]
    open_ = Q(sent_at__isnull=True, failure="")
    messages = RespondentMessage.objects.filter(consultation=consultation).aggregate(
        sent=Count("id", filter=Q(sent_at__isnull=False)),
        failed=Count("id", filter=~Q(failure="")),
        unknown=Count("id", filter=open_ & ~Q(run_id__in=active)),
        in_flight=Count("id", filter=open_ & Q(run_id__in=active)),
    )
    return SendingCounts(
        respondents=people["total"], without_contact=people["without_contact"],
        without_consent=people["without_consent"],
        eligible=reachable(consultation).values("contact_index").distinct().count(),
        waiting=waiting_addresses(consultation).count(), **messages,
    )


def progress(run: MessageRun, now: datetime.datetime | None = None) -> Progress:
    now = now or timezone.now()
    state = shown_state(run, now)
    active = is_active(run, now)
    done = run.sent + run.failed
    rate = seconds_left = None
    if active:
        recent = run.messages.filter(sent_at__gte=now - RATE_WINDOW).count()
        elapsed = min(RATE_WINDOW, now - (run.started_at or now)).total_seconds()
        rate = recent / elapsed if elapsed > 0 else None
        if rate:
            seconds_left = round(max(0, run.total - done) / rate)
    return Progress(run=run, state=state, state_label=str(SendingState(state).label), done=done, total=run.total,
                    rate=rate, seconds_left=seconds_left, active=active)


# The message ------------------------------------------------------------------------------------------------

def message_language(respondent_language: str, organisation_language: str) -> str:
    """The respondent's language if the interface speaks it, else the organisation's, else English (a respondent
    has no country on file, so that step of the fall-back order is skipped)."""
    return stakeholder_language([respondent_language], organisation_language=organisation_language)


def public_url(consultation: Consultation) -> str:
    if not consultation.published:
        return ""
    return settings.RIGHTSLOOP_BASE_URL.rstrip("/") + reverse("consultation_public:heard",
                                                              args=[consultation.public_token])


class Composer:
    """Writes the message for a set of themes in a language; equal sets in one language share one text.

    The text names no one (no greeting by name, no quotation of the response), so sharing it is safe, and a
    consultation of a million respondents renders only as many texts as there are theme combinations.
    """

    def __init__(self, consultation: Consultation):
        self.consultation = consultation
        self.outcomes = {outcome.theme_id: outcome for outcome in theme_outcomes(consultation)}
        self.url = public_url(consultation)
        self._texts: dict[tuple[str, tuple[int, ...]], tuple[str, str]] = {}

    def compose(self, language: str, theme_ids) -> tuple[str, str]:
        themes = tuple(sorted(theme_id for theme_id in set(theme_ids) if theme_id in self.outcomes))
        key = (language, themes)
        if key not in self._texts:
            self._texts[key] = self._render(language, themes)
        return self._texts[key]

    def _render(self, language: str, themes: tuple[int, ...]) -> tuple[str, str]:
        consultation = self.consultation
        with translation.override(language):
            title = consultation.engagement.title
            subject = _("What became of what you told us: %(title)s") % {"title": title}
            body = render_to_string("consultations/email/message.txt", {
                "title": title,
                "organisation": consultation.organisation.name,
                "question": consultation.question,
                "yours": [self.outcomes[theme_id] for theme_id in themes],
                # A response that fell under no final theme ("other") still hears what was decided overall.
                "all": list(self.outcomes.values()) if not themes else [],
                "public_url": self.url,
                "receipts": consultation.issues_receipts,
            })
        return subject, body


def themes_of(respondent_ids) -> dict[int, set[int]]:
    """Final themes the responses of each respondent were assigned to."""
    found: dict[int, set[int]] = {}
    pairs = (ThemeAssignment.objects.filter(response__respondent_id__in=list(respondent_ids),
                                            theme__status=ThemeStatus.FINAL)
             .values_list("response__respondent_id", "theme_id").distinct())
    for respondent_id, theme_id in pairs:
        found.setdefault(respondent_id, set()).add(theme_id)
    return found
