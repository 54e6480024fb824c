"""Reads of regional and country assessments (G1), always scoped to what the viewer may see.

Assessments name local partners, so they are read with the engagements' capability: the human rights team,
administrators and auditors. A partner at high safety on whom the viewer holds no grant does not exist to
that viewer here either (stakeholders.queries.hidden_from): not in the partners, not among the attendees, not
as the one who asked a question. The others at high safety read as their pseudonym, as everywhere.

The plain functions taking an assessment (phases_of, partners_of, training_of, findings_of, engagements_of,
heard_in) read it whole, without a viewer: the shared assessments across companies (G3) build on them and
apply their own rule of who may see what.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

import pycountry
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import charts, countries
from rightsloop.core import languages as language_names
from rightsloop.core.access import plausible_id
from rightsloop.engagements.models import Engagement, Input
from rightsloop.engagements.queries import visible_engagements
from rightsloop.engagements.representation import Heard, who_was_heard
from rightsloop.stakeholders.models import AffectedGroup, GroupMembership, Stakeholder
from rightsloop.stakeholders.queries import hidden_from, shown_name, visible_stakeholders
from rightsloop.stakeholders.vocabulary import SafetyLevel

from .models import (
    Assessment,
    AssessmentPartner,
    AssessmentPhase,
    Finding,
    TrainingQuestion,
    TrainingSession,
)
from .vocabulary import PhaseKind


def visible_assessments(viewer: Viewer) -> QuerySet[Assessment]:
    if not viewer.can(Capability.ENGAGEMENTS_VIEW):
        return Assessment.objects.none()
    return Assessment.objects.for_organisation(viewer.organisation)


def require_reader(viewer: Viewer) -> None:
    """A role that may not read assessments at all is refused whatever the id (403, as the pages answer)."""
    if not viewer.can(Capability.ENGAGEMENTS_VIEW):
        raise PermissionDenied(_("Your role does not give access to assessments."))


def _one(queryset: QuerySet, pk):
    if not plausible_id(pk):
        raise Http404
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_assessment(viewer: Viewer, pk, *, for_update: bool = False) -> Assessment:
    """The assessment if the viewer may see it (and change it, for_update); 'not found' otherwise."""
    require_reader(viewer)
    if for_update and not viewer.can(Capability.ENGAGEMENTS_EDIT):
        raise Http404
    return _one(visible_assessments(viewer).select_related("owner", "organisation"), pk)


def access_phase(assessment: Assessment, pk) -> AssessmentPhase:
    return _one(assessment.phases.all(), pk)


def access_partner(viewer: Viewer, assessment: Assessment, pk) -> AssessmentPartner:
    return _one(visible_partners(viewer, assessment), pk)


def access_session(assessment: Assessment, pk) -> TrainingSession:
    return _one(assessment.training_sessions.all(), pk)


def access_question(session: TrainingSession, pk) -> TrainingQuestion:
    return _one(session.questions.select_related("organisation"), pk)


def access_finding(assessment: Assessment, pk) -> Finding:
    return _one(assessment.findings.select_related("risk"), pk)


def _count(model, related: str) -> Coalesce:
    counted = (model.objects.filter(**{related: OuterRef("pk")}).order_by().values(related)
               .annotate(n=Count("*")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def assessment_list(viewer: Viewer, *, status: str = "") -> QuerySet[Assessment]:
    """The organisation's assessments with their counts, open ones first, newest first."""
    assessments = visible_assessments(viewer)
    if status:
        assessments = assessments.filter(status=status)
    return (assessments.select_related("owner")
            .annotate(partner_count=_count(AssessmentPartner, "assessment"),
                      finding_count=_count(Finding, "assessment"),
                      engagement_count=_count(Assessment.engagements.through, "assessment"))
            .order_by("-starts_on", "-id"))


# Reads of one assessment, whole (G3 builds on these) ---------------------------------------------------------

def phases_of(assessment: Assessment) -> QuerySet[AssessmentPhase]:
    """The timeline's phases in the order they run."""
    return assessment.phases.order_by("position", "starts_on", "id")


def partners_of(assessment: Assessment) -> QuerySet[AssessmentPartner]:
    """Every local partner with their stakeholder; callers hide those the reader may not know of."""
    return assessment.partners.select_related("stakeholder").order_by("added_at", "id")


def training_of(assessment: Assessment) -> QuerySet[TrainingSession]:
    """The training sessions with their attendees and questions, in three queries whatever their number."""
    return (assessment.training_sessions
            .prefetch_related(Prefetch("attendees", queryset=AssessmentPartner.objects.select_related("stakeholder")),
                              Prefetch("questions", queryset=TrainingQuestion.objects.select_related(
                                  "asked_by__stakeholder")))
            .order_by("held_on", "id"))


def findings_of(assessment: Assessment) -> QuerySet[Finding]:
    return assessment.findings.select_related("risk").order_by("recorded_at", "id")


def engagements_of(assessment: Assessment) -> QuerySet[Engagement]:
    """The engagements held inside the assessment, cancelled ones left out (they count nowhere)."""
    return assessment.engagements.filter(cancelled_at__isnull=True).order_by("starts_on", "id")


def inputs_of(assessment: Assessment) -> QuerySet[Input]:
    """The standing inputs of the assessment's engagements."""
    return Input.objects.filter(engagement__in=engagements_of(assessment).values("pk")).standing()


# As a viewer may see them -----------------------------------------------------------------------------------

def visible_partners(viewer: Viewer, assessment: Assessment) -> QuerySet[AssessmentPartner]:
    return partners_of(assessment).exclude(stakeholder__in=hidden_from(viewer))


def visible_engagements_of(viewer: Viewer, assessment: Assessment) -> QuerySet[Engagement]:
    return engagements_of(assessment).filter(pk__in=visible_engagements(viewer).values("pk")).select_related("owner")


def partner_name(partner: AssessmentPartner, viewer: Viewer | None = None) -> str:
    """A partner as pages and the API name them: a pseudonym at high safety or once erased; only the
    stakeholder's own page reveals more (stakeholders.views)."""
    return shown_name(partner.stakeholder, viewer)


def partner_candidates(viewer: Viewer, assessment: Assessment) -> QuerySet[Stakeholder]:
    """Stakeholders the viewer may add as partners: those they may see, not erased, not partners already."""
    return (visible_stakeholders(viewer).filter(erased_at__isnull=True)
            .exclude(pk__in=assessment.partners.values("stakeholder_id")))


def engagement_candidates(viewer: Viewer, assessment: Assessment) -> QuerySet[Engagement]:
    return (visible_engagements(viewer).filter(cancelled_at__isnull=True)
            .exclude(pk__in=assessment.engagements.values("pk")).order_by("-starts_on", "-id"))


@dataclass
class SessionView:
    """A training session as the viewer may see it: attendees and askers they may not know of left out."""

    session: TrainingSession
    attendees: list[tuple[AssessmentPartner, str]]
    questions: list[tuple[TrainingQuestion, str]]


def training_for(viewer: Viewer, assessment: Assessment) -> list[SessionView]:
    hidden = set(hidden_from(viewer).filter(assessment_partnerships__assessment=assessment)
                 .values_list("pk", flat=True))
    views = []
    for session in training_of(assessment):
        attendees = [(partner, partner_name(partner, viewer)) for partner in session.attendees.all()
                     if partner.stakeholder_id not in hidden]
        questions = []
        for question in session.questions.all():
            asker = question.asked_by
            shown = "" if asker is None or asker.stakeholder_id in hidden else partner_name(asker, viewer)
            questions.append((question, shown))
        views.append(SessionView(session=session, attendees=attendees, questions=questions))
    return views


# The timeline chart --------------------------------------------------------------------------------------------

def timeline_chart(assessment: Assessment, phases, *, today: datetime.date) -> charts.Schedule:
    rows = [{"label": str(PhaseKind(phase.kind).label), "start": phase.starts_on, "end": phase.ends_on,
             "progress": phase.progress, "done": phase.is_done,
             "url": reverse("assessments:phase-edit", args=[assessment.pk, phase.pk])} for phase in phases]
    return charts.schedule(
        f"assessment-{assessment.pk}-timeline", _("Timeline"),
        _("The phases of the assessment from %(start)s to %(end)s, how far each has got, and today.") % {
            "start": date_format(assessment.starts_on), "end": date_format(assessment.ends_on)},
        rows, label_heading=_("Phase"), today=today)


# Who was heard ------------------------------------------------------------------------------------------------

@dataclass
class Gap:
    """One thing missing from who was heard, in plain words, with the stable codes behind it for machines."""

    kind: str          # "language", "country", "group" or "voices"
    text: str
    codes: list[str] = field(default_factory=list)


@dataclass
class AssessmentHeard:
    heard: Heard
    languages: set[str]           # languages heard: speakers', their inputs', and the groups heard through proxies
    countries_heard: set[str]
    groups: list[tuple[AffectedGroup, bool]]   # the affected groups of the assessment's countries, heard or not
    gaps: list[Gap]


def country_in_prose(code: str) -> str:
    """A country's name as a sentence says it: its common name where ISO's is formal ("Tanzania", not
    "Tanzania, United Republic of"), in the reader's language."""
    found = pycountry.countries.get(alpha_2=code)
    if found is None:
        country = countries.get(code)
        return country.local_name if country else code
    return countries.translated_country_name(getattr(found, "common_name", None) or found.name)


def _country_list(codes: list[str]) -> str:
    names = [country_in_prose(code) for code in codes]
    if len(names) == 1:
        return names[0]
    return _("%(some)s and %(last)s") % {"some": ", ".join(names[:-1]), "last": names[-1]}


def heard_in(assessment: Assessment, *, hidden: QuerySet | None = None) -> AssessmentHeard:
    """Who was heard in the assessment's engagements, checked against its countries' main languages
    (core.languages.main_languages) and the affected groups living there, each gap said in plain words.

    `hidden`: stakeholders the reader may not know of; by default every high-safety person of the
    organisation, so that a reader with no grant learns nothing of them from the counts.
    """
    if hidden is None:
        hidden = Stakeholder.objects.filter(organisation_id=assessment.organisation_id,
                                            safety_level=SafetyLevel.HIGH)
    inputs = inputs_of(assessment)
    # Gaps about markets are said here, per country and language, rather than by who_was_heard in general.
    heard = who_was_heard(inputs, hidden=hidden)
    seen = inputs.exclude(speaker__stakeholder__in=hidden)
    spoken = {tally.code for tally in heard.by_language} | set(heard.through_proxy.languages)
    spoken |= set(seen.exclude(language="").values_list("language", flat=True).distinct())
    present = set(heard.by_country) | set(heard.through_proxy.countries)

    gaps = [Gap("voices", text) for text in heard.gaps]
    missing_countries = [code for code in assessment.countries if code not in present]
    if missing_countries:
        gaps.append(Gap("country", _("No one from %(countries)s was heard.") % {
            "countries": _country_list(missing_countries)}, missing_countries))
    unheard_in: dict[str, list[str]] = defaultdict(list)
    for code in assessment.countries:
        for language in language_names.main_languages(code):
            if language not in spoken:
                unheard_in[language].append(code)
    for language, where in unheard_in.items():
        gaps.append(Gap("language", _("No one was heard in %(language)s, a main language of %(countries)s.") % {
            "language": language_names.name(language), "countries": _country_list(where)}, [language, *where]))

    wanted = set(assessment.countries)
    groups = [group for group in AffectedGroup.objects.for_organisation(assessment.organisation_id)
              .order_by("name", "id") if wanted & set(group.countries or [])]
    heard_groups: set[int] = set()
    if groups:
        ids = [group.pk for group in groups]
        heard_groups |= set(seen.filter(group_id__in=ids).values_list("group_id", flat=True).distinct())
        speakers = seen.filter(group__isnull=True, speaker__isnull=False).values("speaker__stakeholder_id")
        heard_groups |= set(GroupMembership.objects.filter(group_id__in=ids, stakeholder_id__in=speakers)
                            .values_list("group_id", flat=True).distinct())
    for group in groups:
        if group.pk not in heard_groups:
            gaps.append(Gap("group", _("No voice from the affected group “%(group)s”.") % {"group": group.name},
                            [str(group.uid)]))
    return AssessmentHeard(heard=heard, languages=spoken, countries_heard=present,
                           groups=[(group, group.pk in heard_groups) for group in groups], gaps=gaps)


def heard_for(viewer: Viewer, assessment: Assessment) -> AssessmentHeard:
    return heard_in(assessment, hidden=hidden_from(viewer))
