"""Rating rounds and ratings: the rules of opening, answering, flagging, reminding and erasing (P2)."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member
from rightsloop.core.models import AuditEntry
from rightsloop.relationships import ratings
from rightsloop.relationships.models import (
    Rating,
    RatingFlag,
    RatingInvitation,
    RatingNotice,
    RatingRound,
    Relationship,
)
from rightsloop.stakeholders.actions import erase_stakeholder
from rightsloop.stakeholders.pseudonyms import pseudonym
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .rating_factories import GOOD, answer, backdate, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(organisation):
    return make_member(organisation, Role.ADMIN)


def own(stakeholder, owner):
    Relationship.objects.update_or_create(stakeholder=stakeholder, defaults={
        "organisation": stakeholder.organisation, "owner": owner.user})


# Opening a round ---------------------------------------------------------------------------------------

def test_a_round_asks_the_named_people_and_those_matching_the_filters(hr_lead):
    named = make_stakeholder(hr_lead, kind="expert", country="FR")
    proxy = make_stakeholder(hr_lead, kind="proxy", country="KE")
    make_stakeholder(hr_lead, kind="expert", country="DE")
    today = timezone.localdate()
    round = ratings.open_round(viewer=hr_lead, title="2026", opens_on=today, closes_on=today,
                               chooser=ratings.Chooser(stakeholder_ids=(named.pk,), kind="proxy"))
    assert set(round.invitations.values_list("stakeholder_id", flat=True)) == {named.pk, proxy.pk}
    assert round.chosen_by["kind"] == "proxy"
    assert AuditEntry.objects.filter(action="rating_round.opened", target_id=str(round.pk)).exists()


def test_a_round_naming_someone_hidden_from_its_opener_is_refused_and_nothing_saved(hr_lead, admin):
    hidden = make_stakeholder(admin, safety_level="high", safe_channels=["in_person"])
    seen = make_stakeholder(hr_lead)
    with pytest.raises(ValidationError) as error:
        make_round(hr_lead, [hidden, seen])
    assert "stakeholder_ids" in error.value.message_dict
    assert not RatingRound.objects.exists() and not RatingInvitation.objects.exists()


@pytest.mark.parametrize("who", ["foreign", "hidden", "erased", "missing"])
def test_ids_of_people_the_opener_cannot_ask_are_refused_whole(hr_lead, admin, other_organisation, who):
    seen = make_stakeholder(hr_lead)
    if who == "foreign":
        unknown = make_stakeholder(make_member(other_organisation, Role.HR_LEAD)).pk
    elif who == "hidden":
        unknown = make_stakeholder(admin, safety_level="high", safe_channels=["in_person"]).pk
    elif who == "erased":
        erased = make_stakeholder(hr_lead)
        erase_stakeholder(stakeholder=erased, reason="asked", by=admin)
        unknown = erased.pk
    else:
        unknown = 2**62
    with pytest.raises(ValidationError) as error:
        ratings.open_round(viewer=hr_lead, title="x", opens_on=timezone.localdate(),
                           closes_on=timezone.localdate(),
                           chooser=ratings.Chooser(stakeholder_ids=(seen.pk, unknown), kind="expert"))
    assert list(error.value.message_dict) == ["stakeholder_ids"]
    assert str(unknown) in error.value.message_dict["stakeholder_ids"][0]
    assert not RatingRound.objects.exists() and not RatingInvitation.objects.exists()


@pytest.mark.parametrize(("opens", "closes", "field"), [(0, -1, "closes_on"), (-5, -2, "closes_on")])
def test_bad_dates_are_refused_and_nothing_is_saved(hr_lead, opens, closes, field):
    person = make_stakeholder(hr_lead)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        ratings.open_round(viewer=hr_lead, title="x", opens_on=today + datetime.timedelta(days=opens),
                           closes_on=today + datetime.timedelta(days=closes),
                           chooser=ratings.Chooser(stakeholder_ids=(person.pk,)))
    assert field in error.value.message_dict
    assert not RatingRound.objects.exists()


def test_a_round_with_nobody_in_it_is_refused(hr_lead):
    with pytest.raises(ValidationError) as error:
        ratings.open_round(viewer=hr_lead, title="x", opens_on=timezone.localdate(), closes_on=timezone.localdate(),
                           chooser=ratings.Chooser(kind="expert"))
    assert "stakeholders" in error.value.message_dict


def test_an_auditor_cannot_open_a_round(organisation, hr_lead):
    person = make_stakeholder(hr_lead)
    with pytest.raises(ValidationError):
        make_round(make_member(organisation, Role.AUDITOR), [person])


# Answering --------------------------------------------------------------------------------------------

def test_one_answer_per_person_per_round_which_they_may_change(hr_lead):
    person = make_stakeholder(hr_lead)
    round = make_round(hr_lead, [person])
    answer(round, person, trust=3)
    answer(round, person, trust=5, comment="Better now")
    rating = Rating.objects.get()
    assert (rating.trust, rating.comment, rating.kind, rating.region_code) == (5, "Better now", "affected", "002")
    assert RatingInvitation.objects.get().answered
    assert AuditEntry.objects.filter(action="rating.changed").count() == 1


def test_the_comment_is_sealed_and_never_in_the_audit_log(hr_lead):
    person = make_stakeholder(hr_lead)
    answer(make_round(hr_lead, [person]), person, comment="The security guard frightened us")
    row = Rating.objects.values_list("comment_sealed", flat=True).get()
    assert b"frightened" not in bytes(row)
    assert not AuditEntry.objects.filter(summary__contains="frightened").exists()


@given(st.sampled_from(["trust", "influence", "burden", "usefulness", "safety"]),
       st.one_of(st.integers(max_value=0), st.integers(min_value=6), st.none(), st.booleans()))
def test_a_score_outside_1_to_5_is_refused_and_nothing_saved(dimension, value):
    from rightsloop.relationships.ratings import _check_scores

    with pytest.raises(ValidationError) as error:
        _check_scores({**GOOD, dimension: value})
    assert list(error.value.message_dict) == [dimension]


def test_a_bad_score_saves_nothing(hr_lead):
    person = make_stakeholder(hr_lead)
    round = make_round(hr_lead, [person])
    with pytest.raises(ValidationError):
        answer(round, person, trust=6)
    assert not Rating.objects.exists()
    assert not RatingInvitation.objects.get().answered


def test_no_answer_outside_the_round_or_from_someone_not_asked(hr_lead):
    person, stranger = make_stakeholder(hr_lead), make_stakeholder(hr_lead)
    round = make_round(hr_lead, [person])
    with pytest.raises(ValidationError):
        answer(round, stranger)
    ratings.close_round(viewer=hr_lead, round=round)
    round.refresh_from_db()
    with pytest.raises(ValidationError):
        answer(round, person)
    today = timezone.localdate()
    later = make_round(hr_lead, [person], opens_on=today + datetime.timedelta(days=3),
                       closes_on=today + datetime.timedelta(days=9))
    with pytest.raises(ValidationError):
        answer(later, person)
    assert not Rating.objects.exists()


def test_closing_twice_is_refused(hr_lead):
    round = make_round(hr_lead, [make_stakeholder(hr_lead)])
    ratings.close_round(viewer=hr_lead, round=round)
    with pytest.raises(ValidationError):
        ratings.close_round(viewer=hr_lead, round=round)


# Flags ------------------------------------------------------------------------------------------------

def test_a_low_rating_flags_the_relationship_and_emails_its_owner_once(hr_lead, owner,
                                                                       django_capture_on_commit_callbacks):
    person = make_stakeholder(hr_lead)
    own(person, owner)
    round = make_round(hr_lead, [person])
    with django_capture_on_commit_callbacks(execute=True):
        answer(round, person, safety=2)
    flag = RatingFlag.objects.get()
    assert (flag.reason, flag.dimensions) == ("low", ["safety"])
    assert flag.notified_at is not None
    assert [message.to for message in mail.outbox] == [[owner.user.email]]
    assert person.name in mail.outbox[0].body
    assert ratings.tell_owner(flag_id=flag.pk) is False  # claimed: never twice
    with django_capture_on_commit_callbacks(execute=True):
        answer(round, person, safety=1)
    assert len(mail.outbox) == 1


def test_a_falling_rating_flags_against_the_previous_round(hr_lead, owner):
    person = make_stakeholder(hr_lead)
    first = backdate(make_round(hr_lead, [person], title="Autumn"), 200)
    answer(first, person, trust=5, influence=4)
    second = make_round(hr_lead, [person], title="Spring")
    answer(second, person, trust=4, influence=4)
    flag = RatingFlag.objects.get()
    assert (flag.reason, flag.dimensions) == ("falling", ["trust"])


def test_a_steady_good_rating_flags_nothing_and_a_changed_answer_withdraws_an_unsent_flag(hr_lead):
    person = make_stakeholder(hr_lead)
    round = make_round(hr_lead, [person])
    answer(round, person, usefulness=1)
    assert RatingFlag.objects.get().reason == "low"
    answer(round, person)
    assert not RatingFlag.objects.exists()


def test_the_flag_email_never_names_a_protected_person(hr_lead, owner, django_capture_on_commit_callbacks):
    person = make_stakeholder(hr_lead, safety_level="elevated", safe_channels=["in_person"])
    own(person, owner)
    with django_capture_on_commit_callbacks(execute=True):
        answer(make_round(hr_lead, [person]), person, trust=1)
    assert person.name not in mail.outbox[0].body
    assert pseudonym(person.pk) in mail.outbox[0].body


def test_without_an_owner_the_human_rights_leads_hear_of_the_flag(hr_lead, django_capture_on_commit_callbacks):
    person = make_stakeholder(hr_lead)
    with django_capture_on_commit_callbacks(execute=True):
        answer(make_round(hr_lead, [person]), person, burden=1)
    assert mail.outbox[0].to == [hr_lead.user.email]


# Invitations and reminders ----------------------------------------------------------------------------

def test_the_link_goes_by_email_where_safe_and_each_message_only_once(hr_lead, owner):
    reachable = make_stakeholder(hr_lead)
    protected = make_stakeholder(hr_lead, safety_level="elevated", safe_channels=["in_person"])
    own(protected, owner)
    make_round(hr_lead, [reachable, protected])
    today = timezone.localdate()
    assert ratings.send_round_notices(today=today) == 2
    by_recipient = {tuple(message.to): message for message in mail.outbox}
    assert "/portal/enter/" in by_recipient[(reachable.email,)].body
    hand_over = by_recipient[(owner.user.email,)]
    assert protected.name not in hand_over.body and "/portal/enter/" not in hand_over.body
    assert ratings.send_round_notices(today=today) == 0
    assert len(mail.outbox) == 2
    assert set(RatingNotice.objects.values_list("channel", flat=True)) == {"email", "owner"}


def test_the_emailed_link_is_issued_as_the_portal_does_and_a_mail_failure_stops_no_one(hr_lead, monkeypatch):
    from rightsloop.portal.models import PortalLink

    first, second = make_stakeholder(hr_lead), make_stakeholder(hr_lead)
    make_round(hr_lead, [first, second])
    real_send = mail.EmailMessage.send

    def send(message, *args, **kwargs):
        if message.to == [first.email]:
            raise ConnectionRefusedError
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMessage, "send", send)
    assert ratings.send_round_notices(today=timezone.localdate()) == 2
    assert [message.to for message in mail.outbox] == [[second.email]]
    failed, sent = PortalLink.objects.get(stakeholder=first), PortalLink.objects.get(stakeholder=second)
    assert (failed.token_digest, failed.failure, failed.sent_at) == (None, "ConnectionRefusedError", None)
    assert sent.token_digest and sent.sent_at and sent.channel == "email" and not sent.failure
    assert dict(RatingNotice.objects.values_list("invitation__stakeholder_id", "channel")) == {
        first.pk: "failed", second.pk: "email"}
    actions = list(AuditEntry.objects.filter(action__startswith="portal.").values_list("action", flat=True))
    assert sorted(actions) == ["portal.link_failed", "portal.link_issued", "portal.link_issued", "portal.link_sent"]


def test_one_reminder_near_the_close_only_to_those_who_have_not_answered(hr_lead):
    quiet, answered = make_stakeholder(hr_lead), make_stakeholder(hr_lead)
    today = timezone.localdate()
    round = make_round(hr_lead, [quiet, answered], closes_on=today + datetime.timedelta(days=2))
    answer(round, answered)
    ratings.send_round_notices(today=today)
    reminders = RatingNotice.objects.filter(kind="reminder")
    assert list(reminders.values_list("invitation__stakeholder_id", flat=True)) == [quiet.pk]
    ratings.send_round_notices(today=today + datetime.timedelta(days=1))
    assert reminders.count() == 1


def test_no_message_for_a_round_not_yet_open_or_closed(hr_lead):
    person = make_stakeholder(hr_lead)
    today = timezone.localdate()
    make_round(hr_lead, [person], opens_on=today + datetime.timedelta(days=2),
               closes_on=today + datetime.timedelta(days=5))
    closed = make_round(hr_lead, [person])
    ratings.close_round(viewer=hr_lead, round=closed)
    assert ratings.send_round_notices(today=today) == 0
    assert mail.outbox == []


# Subject data -----------------------------------------------------------------------------------------

def test_export_and_erasure_of_a_persons_ratings(hr_lead):
    person = make_stakeholder(hr_lead)
    answer(make_round(hr_lead, [person]), person, trust=1, comment="Nobody listened")
    exported = ratings.export_ratings(person)
    assert exported[0]["comment"] == "Nobody listened" and exported[0]["trust"] == 1
    erase_stakeholder(stakeholder=person, reason="asked", by=hr_lead)
    rating = Rating.objects.get()
    assert bytes(rating.comment_sealed) == b"" and rating.trust == 1
    assert not RatingFlag.objects.exists()
