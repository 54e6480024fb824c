"""The demo's board oversight (issue 15): briefings, a reviewed and an unreviewed board-level risk, two packs."""

import pytest
from django.urls import reverse

from rightsloop.accounts.models import Membership
from rightsloop.accounts.viewer import Viewer
from rightsloop.core.models import Organisation
from rightsloop.core.periods import Period
from rightsloop.demo import content
from rightsloop.oversight.models import BoardBriefing, BoardPack, BriefingKind, PackStatus
from rightsloop.risks.models import BoardReview, Risk
from rightsloop.risks.vocabulary import OwnerLevel

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation(loaded_demo) -> Organisation:
    return Organisation.objects.get(slug=content.ORGANISATION_SLUG)


def test_the_board_has_a_training_record_and_heard_stakeholders(organisation):
    briefings = BoardBriefing.objects.filter(organisation=organisation)
    assert {briefing.kind for briefing in briefings} == {BriefingKind.TRAINING, BriefingKind.STAKEHOLDER_SESSION,
                                                          BriefingKind.BRIEFING}
    assert briefings.get(kind=BriefingKind.STAKEHOLDER_SESSION).stakeholders.count() == 2


def test_one_board_level_risk_reviewed_the_others_flagged(organisation):
    board_level = Risk.objects.filter(organisation=organisation, owner_level=OwnerLevel.BOARD, closed_at__isnull=True)
    assert board_level.count() >= 2
    assert BoardReview.objects.filter(organisation=organisation).count() == 1


def test_two_board_packs_are_ready(organisation, settings):
    packs = BoardPack.objects.filter(organisation=organisation)
    assert sorted(pack.period for pack in packs) == sorted(
        [Period.containing(pack.requested_at.date()).previous().key for pack in packs[:1]]
        + [str(packs[0].requested_at.year - 1)])
    assert all(pack.status == PackStatus.READY and pack.pages >= 6 for pack in packs)


def test_the_board_member_reads_the_five_answers(organisation, sign_in):
    membership = Membership.objects.get(organisation=organisation, user__username="helena")
    page = sign_in(Viewer.from_membership(membership)).get(reverse("oversight:board"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Is the board engaged in overseeing these mechanisms?" in text
    assert "Camp" not in text or "Rohingya" in text  # risk titles, never people
    for person in content.STAKEHOLDERS:
        assert person.profile.name not in text


def test_last_years_report_is_published_and_this_years_drafted(organisation):
    from django.test import Client
    from django.utils import timezone

    from rightsloop.disclosure.report_models import Report, ReportStatus

    client = Client()
    year = timezone.localdate().year
    published = Report.objects.get(organisation=organisation, period=str(year - 1))
    assert published.status == ReportStatus.PUBLISHED and published.versions.get().pdf
    assert Report.objects.get(organisation=organisation, period=str(year)).status == ReportStatus.DRAFT
    page = client.get(reverse("reports-public:report", args=[organisation.slug, str(year - 1)])).content.decode()
    assert "Fraud draining small traders" in page
    # The community researcher at risk, named in the draft's words, is withheld in what was published.
    assert "[withheld]" in page and "Maricel" not in page
    assert client.get(f"/open-data/{organisation.slug}/datapackage.json").status_code == 200
