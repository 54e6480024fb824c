"""Decisions per theme, and the loop-closure messages: one per address, in its language, never twice."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone, translation

from rightsloop.core.models import AuditEntry

from .. import loop
from ..actions import outcomes as actions
from ..models import MessageRun, RespondentMessage, SendingState, Theme, ThemeStatus
from ..tasks.messages import send_messages
from .factories import make_applied_import, make_consultation, make_final_theme

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
SOON = TODAY + datetime.timedelta(days=30)
# Planted in every response text, contact and respondent id: no page or message may show it.
PERSONAL = "Personal-Marker-7731"


def person(n, **fields):
    row = {"text": f"{PERSONAL} response {n}", "respondent": f"{PERSONAL}-id-{n}",
           "contact": f"{PERSONAL.lower()}-{n}@example.net"}
    row.update(fields)
    return row


def consultation_with_themes(by, rows, *, decide=True, **settings):
    """A consultation whose responses are split over two final themes: odd lines to "Privacy", even to "Cost"."""
    consultation = make_consultation(by, question="Should messages be encrypted by default?", **settings)
    make_applied_import(consultation, rows, by=by)
    responses = list(consultation.responses.order_by("line"))
    privacy = make_final_theme(consultation, "Privacy matters", responses[0::2])
    cost = make_final_theme(consultation, "Cost of the change", responses[1::2])
    if decide:
        actions.decide_theme(theme=privacy, outcome="adopted", rationale="We encrypt by default from May.", by=by)
        actions.decide_theme(theme=cost, outcome="under_consideration", next_step="A pricing review",
                             next_step_due=SOON, by=by)
    return consultation, privacy, cost


def send_all(consultation, by, **kwargs):
    run = actions.start_sending(consultation=consultation, by=by, background=False)
    return actions.deliver(run_id=run.pk, **kwargs)


def recipients():
    return [address for message in mail.outbox for address in message.to]


# Decisions ---------------------------------------------------------------------------------------------------

def test_a_decision_is_kept_with_every_revision(hr_lead):
    _consultation, privacy, _cost = consultation_with_themes(hr_lead, [person(1), person(2)], decide=False)
    first = actions.decide_theme(theme=privacy, outcome="not_adopted", rationale="Out of scope.", by=hr_lead)
    second = actions.decide_theme(theme=privacy, outcome="under_consideration", rationale="",
                                  next_step="  Security council review ", next_step_due=SOON, by=hr_lead)
    privacy.refresh_from_db()
    assert (first.revision, second.revision) == (1, 2)
    assert privacy.current_decision == second and privacy.outcome == "under_consideration"
    assert second.next_step == "Security council review" and second.next_step_due == SOON
    assert list(privacy.decisions.values_list("revision", flat=True)) == [2, 1]
    assert list(AuditEntry.objects.filter(target_type="consultations.theme", target_id=str(privacy.pk))
                .values_list("action", flat=True)
                .order_by("sequence")) == ["consultation.theme_decided", "consultation.theme_revised"]


def test_a_next_step_is_only_kept_while_under_consideration(hr_lead):
    _c, privacy, _cost = consultation_with_themes(hr_lead, [person(1), person(2)], decide=False)
    decision = actions.decide_theme(theme=privacy, outcome="adopted", next_step="ignored", next_step_due=SOON,
                                    by=hr_lead)
    assert (decision.next_step, decision.next_step_due) == ("", None)


@pytest.mark.parametrize(("values", "fields"), [
    ({"outcome": "not_adopted"}, {"rationale"}),
    ({"outcome": "partly_adopted", "rationale": "  "}, {"rationale"}),
    ({"outcome": "under_consideration"}, {"next_step", "next_step_due"}),
    ({"outcome": "under_consideration", "next_step": "Review",
      "next_step_due": TODAY - datetime.timedelta(days=1)}, {"next_step_due"}),
    ({"outcome": "maybe"}, {"outcome"}),
])
def test_the_rules_of_a_single_input_hold_for_a_theme(hr_lead, values, fields):
    _c, privacy, _cost = consultation_with_themes(hr_lead, [person(1), person(2)], decide=False)
    with pytest.raises(ValidationError) as refused:
        actions.decide_theme(theme=privacy, by=hr_lead, **values)
    assert set(refused.value.message_dict) == fields
    assert not privacy.decisions.exists()


def test_only_final_themes_are_decided_and_only_by_those_who_may(hr_lead, auditor):
    consultation, privacy, _cost = consultation_with_themes(hr_lead, [person(1), person(2)], decide=False)
    candidate = Theme.objects.create(consultation=consultation, label="Candidate", status=ThemeStatus.CANDIDATE)
    with pytest.raises(ValidationError, match="Only final themes"):
        actions.decide_theme(theme=candidate, outcome="adopted", by=hr_lead)
    with pytest.raises(PermissionDenied):
        actions.decide_theme(theme=privacy, outcome="adopted", by=auditor)
    assert not candidate.decisions.exists() and not privacy.decisions.exists()


# Starting ----------------------------------------------------------------------------------------------------

def test_sending_waits_for_final_themes_and_for_a_decision_on_each(hr_lead, auditor):
    bare = make_consultation(hr_lead)
    make_applied_import(bare, [person(1)], by=hr_lead)
    with pytest.raises(ValidationError, match="no final themes"):
        actions.start_sending(consultation=bare, by=hr_lead)
    consultation, privacy, _cost = consultation_with_themes(hr_lead, [person(1), person(2)], decide=False)
    actions.decide_theme(theme=privacy, outcome="adopted", by=hr_lead)
    with pytest.raises(ValidationError) as refused:
        actions.start_sending(consultation=consultation, by=hr_lead)
    assert "Cost of the change" in refused.value.messages[0] and "Privacy" not in refused.value.messages[0]
    with pytest.raises(PermissionDenied):
        actions.start_sending(consultation=consultation, by=auditor)
    assert not MessageRun.objects.exists()


# Who receives what -------------------------------------------------------------------------------------------

def test_one_message_per_address_listing_the_themes_of_all_its_responses(hr_lead):
    shared = "same.person@example.net"
    rows = [person(1, contact=shared), person(2, contact=shared), person(3), person(4)]
    consultation, _privacy, _cost = consultation_with_themes(hr_lead, rows)
    assert consultation.respondents.filter(contact_index__isnull=False).count() == 4
    run = send_all(consultation, hr_lead)
    assert run.state == SendingState.DONE and (run.total, run.sent, run.failed) == (3, 3, 0)
    assert sorted(recipients()) == sorted([shared, f"{PERSONAL.lower()}-3@example.net",
                                           f"{PERSONAL.lower()}-4@example.net"])
    body = next(m.body for m in mail.outbox if m.to == [shared])
    # Line 2 fell under Privacy, line 3 under Cost: the shared address hears about both, once.
    assert "Privacy matters" in body and "Cost of the change" in body
    assert "We encrypt by default from May." in body and "A pricing review" in body
    assert SOON.strftime("%Y") in body
    assert PERSONAL not in body and PERSONAL.lower() not in body
    assert RespondentMessage.objects.filter(sent_at__isnull=False).count() == 3
    assert AuditEntry.objects.filter(action="consultation.messages_done").count() == 1


def test_consent_and_contact_are_required(hr_lead):
    rows = [person(1, consent=False), person(2, contact=""), person(3)]
    consultation, *_ = consultation_with_themes(hr_lead, rows)
    send_all(consultation, hr_lead)
    assert recipients() == [f"{PERSONAL.lower()}-3@example.net"]
    counts = loop.sending_counts(consultation)
    assert (counts.eligible, counts.sent, counts.without_consent, counts.without_contact) == (1, 1, 1, 1)


@pytest.mark.parametrize(("spoken", "default", "expected"), [
    ("es", "fr", "es"),
    ("fr-CA", "en", "fr"),
    ("de", "fr", "fr"),  # no German interface: the organisation's language
    ("", "es", "es"),
    ("de", "en", "en"),
])
def test_each_message_is_in_the_respondents_language(hr_lead, spoken, default, expected):
    hr_lead.organisation.default_language = default
    hr_lead.organisation.save(update_fields=["default_language"])
    consultation, *_ = consultation_with_themes(hr_lead, [person(1, language=spoken), person(2)])
    consultation.organisation.refresh_from_db()
    send_all(consultation, hr_lead)
    message = next(m for m in mail.outbox if m.to == [f"{PERSONAL.lower()}-1@example.net"])
    assert message.extra_headers["Content-Language"] == expected
    assert RespondentMessage.objects.get(contact_index=consultation.respondents.get(line=2).contact_index
                                         ).language == expected


def test_the_message_is_rendered_in_the_respondents_language_once_per_combination(hr_lead, monkeypatch):
    consultation, privacy, cost = consultation_with_themes(hr_lead, [person(1), person(2)])
    active = []
    real = loop.render_to_string

    def spy(*args, **kwargs):
        active.append(translation.get_language())
        return real(*args, **kwargs)

    monkeypatch.setattr(loop, "render_to_string", spy)
    composer = loop.Composer(consultation)
    first = composer.compose("es", [privacy.pk, cost.pk])
    assert composer.compose("es", [cost.pk, privacy.pk, 999]) == first  # same themes, same text: rendered once
    composer.compose("fr", [privacy.pk])
    assert active == ["es", "fr"] and translation.get_language() == "en"


def test_a_response_in_no_theme_still_hears_the_decisions(hr_lead):
    consultation, *_ = consultation_with_themes(hr_lead, [person(1), person(2), person(3, text="unrelated")])
    consultation.responses.get(line=4).assignments.all().delete()
    send_all(consultation, hr_lead)
    body = next(m.body for m in mail.outbox if m.to == [f"{PERSONAL.lower()}-3@example.net"])
    assert "did not fall under one of the main themes" in body
    assert "Privacy matters" in body and "Cost of the change" in body


def test_the_public_link_is_given_only_once_published(hr_lead):
    consultation, *_ = consultation_with_themes(hr_lead, [person(1), person(2)])
    send_all(consultation, hr_lead)
    assert "/c/" not in mail.outbox[0].body
    published, *_ = consultation_with_themes(hr_lead, [person(3), person(4)])
    published.published = True
    published.save(update_fields=["published"])
    mail.outbox.clear()
    send_all(published, hr_lead)
    assert f"/c/{published.public_token}/" in mail.outbox[0].body


# Never twice -------------------------------------------------------------------------------------------------

def test_a_second_run_writes_only_to_new_addresses(hr_lead):
    consultation, *_ = consultation_with_themes(hr_lead, [person(1), person(2)])
    send_all(consultation, hr_lead)
    with pytest.raises(ValidationError, match="no one left"):
        actions.start_sending(consultation=consultation, by=hr_lead)
    # Later responses: a newcomer, and someone already written to answering again under a new id.
    make_applied_import(consultation, [person(3), person(9, contact=f"{PERSONAL.lower()}-1@example.net")])
    make_final_theme(consultation, "Late theme", list(consultation.responses.filter(line__in=[2, 3])))
    late = consultation.themes.get(label="Late theme")
    actions.decide_theme(theme=late, outcome="adopted", by=hr_lead)
    mail.outbox.clear()
    run = send_all(consultation, hr_lead)
    assert recipients() == [f"{PERSONAL.lower()}-3@example.net"] and run.sent == 1


def test_the_task_run_twice_sends_once(hr_lead, django_capture_on_commit_callbacks):
    consultation, *_ = consultation_with_themes(hr_lead, [person(n) for n in range(1, 6)])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = actions.start_sending(consultation=consultation, by=hr_lead)
    assert len(callbacks) == 1
    first = send_messages.call(run.pk)
    second = send_messages.call(run.pk)
    assert first.startswith("done: 5 sent") and second.startswith("done: 5 sent")
    assert len(mail.outbox) == 5 and len(set(recipients())) == 5


def test_overlapping_runs_never_write_to_one_address_twice(hr_lead, monkeypatch):
    """Run B claims the very addresses run A has just chosen, between A's choice and A's claim."""
    consultation, *_ = consultation_with_themes(hr_lead, [person(n) for n in range(1, 9)])
    first = MessageRun.objects.create(consultation=consultation, total=8, heartbeat_at=timezone.now())
    second = MessageRun.objects.create(consultation=consultation, total=8, heartbeat_at=timezone.now())
    real_claim = actions._claim
    interleaved = []

    def claim_after_the_other_run(run, rows):
        if run == first and not interleaved:
            interleaved.append(True)
            actions.deliver(run_id=second.pk, batch_size=3)
        return real_claim(run, rows)

    monkeypatch.setattr(actions, "_claim", claim_after_the_other_run)
    actions.deliver(run_id=first.pk, batch_size=3)
    assert sorted(recipients()) == sorted(f"{PERSONAL.lower()}-{n}@example.net" for n in range(1, 9))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.sent, second.sent) == (0, 8)
    assert RespondentMessage.objects.count() == 8


class Killed(BaseException):
    """What a killed process looks like from inside: nothing after it runs in the loop."""


class DiesAfter(EmailBackend):
    """Takes `limit` messages, then the process 'dies' while handing over the next one."""

    limit = 3

    def send_messages(self, messages):
        taken = 0
        for message in messages:
            if taken == self.limit:
                raise Killed()
            mail.outbox.append(message)
            taken += 1
        return taken


def test_a_crash_then_resume_never_sends_twice_and_counts_the_unknown(hr_lead):
    consultation, *_ = consultation_with_themes(hr_lead, [person(n) for n in range(1, 13)])
    run = actions.start_sending(consultation=consultation, by=hr_lead, background=False)
    with pytest.raises(Killed):
        actions.deliver(run_id=run.pk, batch_size=5, connection=DiesAfter())
    assert len(mail.outbox) == 3
    # A killed process leaves its run "running" with a silent heartbeat: shown interrupted after a while.
    MessageRun.objects.filter(pk=run.pk).update(state=SendingState.RUNNING,
                                                heartbeat_at=timezone.now() - loop.STALE_AFTER * 2)
    run.refresh_from_db()
    assert loop.shown_state(run) == SendingState.INTERRUPTED
    with pytest.raises(ValidationError, match="interrupted"):
        actions.start_sending(consultation=consultation, by=hr_lead)
    assert actions.resumable_run(consultation) == run
    actions.resume_sending(run=run, by=hr_lead, background=False)
    run = actions.deliver(run_id=run.pk, batch_size=5)
    everyone = recipients()
    assert len(everyone) == len(set(everyone)) == 3 + 7
    counts = loop.sending_counts(consultation)
    # The 5 claimed in the dead batch (3 handed over, 2 not) are unknown and never resent.
    assert (counts.sent, counts.unknown, counts.waiting, counts.eligible) == (7, 5, 0, 12)
    assert run.state == SendingState.DONE and run.total == 12


def test_ctrl_c_marks_the_run_interrupted(hr_lead):
    consultation, *_ = consultation_with_themes(hr_lead, [person(n) for n in range(1, 5)])
    run = actions.start_sending(consultation=consultation, by=hr_lead, background=False)
    with pytest.raises(Killed):
        actions.deliver(run_id=run.pk, batch_size=4, connection=DiesAfter())
    run.refresh_from_db()
    assert run.state == SendingState.INTERRUPTED
    assert actions.resumable_run(consultation) == run


class RefusesOne(EmailBackend):
    """An SMTP-like backend: hands messages over one by one and refuses one address."""

    def send_messages(self, messages):
        count = 0
        for message in messages:
            if message.to == [f"{PERSONAL.lower()}-2@example.net"]:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"no such user")})
            mail.outbox.append(message)
            count += 1
        return count


def test_a_refused_address_fails_alone(hr_lead):
    consultation, *_ = consultation_with_themes(hr_lead, [person(n) for n in range(1, 6)])
    run = send_all(consultation, hr_lead, connection=RefusesOne())
    assert (run.sent, run.failed, run.state) == (4, 1, SendingState.DONE)
    assert len(mail.outbox) == 4
    failed = RespondentMessage.objects.get(failure__gt="")
    assert failed.failure == "SMTPRecipientsRefused" and failed.sent_at is None


class Unreachable(EmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_an_unreachable_mail_server_stops_the_run_and_loses_nothing(hr_lead):
    consultation, *_ = consultation_with_themes(hr_lead, [person(n) for n in range(1, 6)])
    run = send_all(consultation, hr_lead, connection=Unreachable())
    assert run.state == SendingState.INTERRUPTED and run.sent == 0
    assert not RespondentMessage.objects.exists()  # the claims were released
    actions.resume_sending(run=run, by=hr_lead, background=False)
    run = actions.deliver(run_id=run.pk)
    assert run.sent == 5 and len(set(recipients())) == 5


def test_claims_lost_to_another_run_are_not_sent(hr_lead):
    consultation, *_ = consultation_with_themes(hr_lead, [person(1), person(2)])
    mine = MessageRun.objects.create(consultation=consultation)
    theirs = MessageRun.objects.create(consultation=consultation)
    one, two = consultation.respondents.order_by("line")
    RespondentMessage.objects.create(consultation=consultation, run=theirs, respondent=one,
                                     contact_index=one.contact_index, language="en")
    won = actions._claim(mine, [
        RespondentMessage(consultation=consultation, run=mine, respondent=r, contact_index=r.contact_index,
                          language="en") for r in (one, two)])
    assert [row.contact_index for row in won] == [two.contact_index]
    assert RespondentMessage.objects.get(contact_index=one.contact_index).run == theirs


def test_several_connections_share_a_batch_without_repeating_anyone(hr_lead):
    consultation, *_ = consultation_with_themes(hr_lead, [person(n) for n in range(1, 12)])
    run = actions.start_sending(consultation=consultation, by=hr_lead, background=False)
    run = actions.deliver(run_id=run.pk, batch_size=7, connections=3)
    assert (run.sent, run.state) == (11, SendingState.DONE)
    assert sorted(recipients()) == sorted(f"{PERSONAL.lower()}-{n}@example.net" for n in range(1, 12))
