"""The decisions and messages pages, their API, and the sending command."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from ..actions import outcomes as actions
from ..models import MessageRun, SendingState
from .test_outcomes import PERSONAL, SOON, consultation_with_themes, person, recipients

pytestmark = pytest.mark.django_db


def test_the_decisions_page_lists_the_themes_and_each_is_decided_on_its_own_page(hr_lead, sign_in):
    consultation, privacy, _cost = consultation_with_themes(hr_lead, [person(1), person(2), person(3)], yes_no=True)
    privacy.stance = {"for": 2, "against": 0, "unclear": 0}
    privacy.save(update_fields=["stance"])
    client = sign_in(hr_lead)
    waiting = client.get(f"/consultations/{consultation.pk}/decisions/").content.decode()
    # Every theme is decided: the default view (awaiting a decision) is empty, and no form is open on the list.
    assert "Every final theme has a decision." in waiting and "Privacy matters" not in waiting
    page = client.get(f"/consultations/{consultation.pk}/decisions/?show=all").content.decode()
    assert "Privacy matters" in page and "Cost of the change" in page
    assert f'href="/consultations/{consultation.pk}/decisions/{privacy.pk}/"' in page
    assert "<form" not in page.split("<main", 1)[-1] and 'name="rationale"' not in page
    one = client.get(f"/consultations/{consultation.pk}/decisions/{privacy.pk}/").content.decode()
    assert "2 for" in one and "0 against" in one
    assert "We encrypt by default from May." in one and "revision 1" in one
    assert PERSONAL not in page and PERSONAL.lower() not in page and PERSONAL not in one


def test_a_decision_form_with_mistakes_comes_back_with_them(hr_lead, sign_in):
    consultation, privacy, _cost = consultation_with_themes(hr_lead, [person(1), person(2)], decide=False)
    client = sign_in(hr_lead)
    url = f"/consultations/{consultation.pk}/decisions/{privacy.pk}/"
    refused = client.post(url, {"outcome": "under_consideration", "rationale": "Kept text"})
    page = refused.content.decode()
    assert refused.status_code == 400
    assert "Say what happens next" in page and "Give the date" in page and "Kept text" in page
    assert not privacy.decisions.exists()
    done = client.post(url, {"outcome": "under_consideration", "next_step": "Council review",
                             "next_step_due": SOON.isoformat()})
    assert done.status_code == 302 and done["Location"].endswith(f"/decisions/#theme-{privacy.pk}")
    privacy.refresh_from_db()
    assert privacy.outcome == "under_consideration" and privacy.current_decision.next_step == "Council review"


def test_auditors_read_decisions_but_cannot_decide_or_send(hr_lead, auditor, sign_in):
    consultation, privacy, _cost = consultation_with_themes(hr_lead, [person(1), person(2)])
    client = sign_in(auditor)
    page = client.get(f"/consultations/{consultation.pk}/decisions/?show=all").content.decode()
    assert "Privacy matters" in page and "Record the decision" not in page and "Revise" not in page
    assert client.post(f"/consultations/{consultation.pk}/decisions/{privacy.pk}/",
                       {"outcome": "adopted"}).status_code == 403
    messages_page = client.get(f"/consultations/{consultation.pk}/messages/").content.decode()
    assert "Addresses to write to" in messages_page and "messages/start/" not in messages_page
    assert client.post(f"/consultations/{consultation.pk}/messages/start/").status_code == 403
    assert not MessageRun.objects.exists()


def test_the_messages_page_sends_and_shows_progress_without_contacts(hr_lead, sign_in,
                                                                    django_capture_on_commit_callbacks):
    consultation, *_ = consultation_with_themes(hr_lead, [person(1), person(2), person(3, consent=False)])
    client = sign_in(hr_lead)
    before = client.get(f"/consultations/{consultation.pk}/messages/").content.decode()
    assert "Send the message to 2 addresses" in before
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"/consultations/{consultation.pk}/messages/start/")
    assert started.status_code == 302
    assert sorted(recipients()) == [f"{PERSONAL.lower()}-1@example.net", f"{PERSONAL.lower()}-2@example.net"]
    after = client.get(f"/consultations/{consultation.pk}/messages/").content.decode()
    assert "There is no one left to write to." in after and "2 of 2 handled" in after
    assert PERSONAL not in after and PERSONAL.lower() not in after and "example.net" not in after


def test_the_progress_polls_while_sending_and_stops_after(hr_lead, sign_in):
    consultation, *_ = consultation_with_themes(hr_lead, [person(1), person(2)])
    run = actions.start_sending(consultation=consultation, by=hr_lead, background=False)
    client = sign_in(hr_lead)
    partial = client.get(f"/consultations/{consultation.pk}/messages/", HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<section id="sending-progress"') and 'hx-trigger="every 3s"' in partial
    assert "<html" not in partial and "Reload" in partial
    actions.deliver(run_id=run.pk)
    partial = client.get(f"/consultations/{consultation.pk}/messages/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in partial and "Sent" in partial


def test_starting_before_every_theme_is_decided_names_the_missing_ones(hr_lead, sign_in):
    consultation, _privacy, _cost = consultation_with_themes(hr_lead, [person(1), person(2)], decide=False)
    client = sign_in(hr_lead)
    refused = client.post(f"/consultations/{consultation.pk}/messages/start/")
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Privacy matters" in page and "Cost of the change" in page and "Decide on every final theme" in page
    assert client.post(f"/consultations/{consultation.pk}/messages/resume/").status_code == 400


def test_an_interrupted_run_is_shown_and_resumed_from_the_page(hr_lead, sign_in,
                                                              django_capture_on_commit_callbacks):
    consultation, *_ = consultation_with_themes(hr_lead, [person(n) for n in range(1, 5)])
    run = actions.start_sending(consultation=consultation, by=hr_lead, background=False)
    MessageRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(hours=1))
    client = sign_in(hr_lead)
    page = client.get(f"/consultations/{consultation.pk}/messages/").content.decode()
    assert "Interrupted" in page and "Resume sending" in page
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/consultations/{consultation.pk}/messages/resume/").status_code == 302
    run.refresh_from_db()
    assert run.state == SendingState.DONE and len(mail.outbox) == 4


# API ---------------------------------------------------------------------------------------------------------

def test_decide_list_send_and_follow_through_the_api(hr_lead, api, django_capture_on_commit_callbacks):
    consultation, privacy, cost = consultation_with_themes(hr_lead, [person(1), person(2)], decide=False)
    client = api(hr_lead)
    base = f"/api/v1/consultations/{consultation.pk}"
    bad = client.post(f"{base}/themes/{privacy.pk}/decision", {"outcome": "not_adopted"})
    assert bad.status_code == 400 and "rationale" in bad.json()["errors"]
    refused = client.post(f"{base}/messages")
    assert refused.status_code == 400 and "Privacy matters" in refused.json()["detail"] + str(refused.json())
    ok = client.post(f"{base}/themes/{privacy.pk}/decision", {"outcome": "not_adopted", "rationale": "Too costly."})
    assert ok.status_code == 201 and ok.json()["revision"] == 1 and ok.json()["decided_by"]
    client.post(f"{base}/themes/{cost.pk}/decision", {"outcome": "adopted"})
    listed = client.get(f"{base}/decisions").json()
    assert [(row["label"], row["outcome"], len(row["history"])) for row in listed] == [
        ("Privacy matters", "not_adopted", 1), ("Cost of the change", "adopted", 1)]
    assert listed[0]["current"]["rationale"] == "Too costly."
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"{base}/messages")
    assert started.status_code == 201 and started.json()["total"] == 2
    status = client.get(f"{base}/messages").json()
    assert (status["sent"], status["eligible"], status["run"]["state"], status["blockers"]) == (2, 2, "done", [])
    assert PERSONAL.lower() not in str(status)
    assert client.post(f"{base}/messages/resume").status_code == 400


def test_the_api_refuses_other_organisations_and_roles(hr_lead, auditor, outsider, api):
    consultation, privacy, _cost = consultation_with_themes(hr_lead, [person(1), person(2)])
    base = f"/api/v1/consultations/{consultation.pk}"
    assert api(outsider).get(f"{base}/decisions").status_code == 404
    assert api(outsider).post(f"{base}/themes/{privacy.pk}/decision", {"outcome": "adopted"}).status_code == 404
    assert api(auditor).get(f"{base}/decisions").status_code == 200
    assert api(auditor).post(f"{base}/themes/{privacy.pk}/decision", {"outcome": "adopted"}).status_code == 403
    assert api(auditor).post(f"{base}/messages").status_code == 403
    assert api(hr_lead).post(f"{base}/themes/{privacy.pk + 1000}/decision",
                             {"outcome": "adopted"}).status_code == 404


# The command -------------------------------------------------------------------------------------------------

def test_the_command_sends_and_resumes(hr_lead):
    consultation, *_ = consultation_with_themes(hr_lead, [person(n) for n in range(1, 8)])
    out = io.StringIO()
    call_command("send_consultation_messages", consultation.pk, "--as", hr_lead.user.email, "--batch-size", "3",
                 "--connections", "2", stdout=out)
    assert "Run " in out.getvalue() and "7/7 handled" in out.getvalue() and "Done: 7 sent" in out.getvalue()
    assert len(set(recipients())) == 7
    with pytest.raises(CommandError, match="no one left"):
        call_command("send_consultation_messages", consultation.pk, "--as", hr_lead.user.email, stdout=out)
    run = MessageRun.objects.get()
    with pytest.raises(CommandError, match="nothing to resume"):
        call_command("send_consultation_messages", consultation.pk, "--resume", run.pk, "--as", hr_lead.user.email,
                     stdout=out)


def test_the_command_acts_only_as_a_member_who_may_send(hr_lead, auditor, outsider):
    consultation, *_ = consultation_with_themes(hr_lead, [person(1), person(2)])
    with pytest.raises(CommandError, match="cannot send"):
        call_command("send_consultation_messages", consultation.pk, "--as", auditor.user.email)
    with pytest.raises(CommandError, match="not an active member"):
        call_command("send_consultation_messages", consultation.pk, "--as", outsider.user.email)
    assert not mail.outbox
