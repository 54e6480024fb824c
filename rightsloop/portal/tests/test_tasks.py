"""The portal's background jobs, each safe to run twice."""

import re

import pytest

from rightsloop.portal import links, tasks
from rightsloop.portal.actions.links import issue_portal_link
from rightsloop.portal.models import PortalLink
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db


def test_the_link_task_run_twice_sends_once(hr_lead, mailoutbox, django_capture_on_commit_callbacks):
    person = make_stakeholder(hr_lead, email="person@example.net")
    with django_capture_on_commit_callbacks(execute=False):  # the queue has not run the task yet
        issue_portal_link(viewer=hr_lead, stakeholder=person, channel="email")
    link = PortalLink.objects.get()

    assert tasks.send_portal_link.call(link.pk) == "sent"
    # The drawn digest is the claim: a second run (a retried job) sends no second token.
    assert tasks.send_portal_link.call(link.pk) == "skipped"

    (message,) = mailoutbox
    link.refresh_from_db()
    assert link.token_digest is not None and link.sent_at is not None
    token = re.search(r"/portal/enter/([A-Za-z0-9_\-]+)/", message.body).group(1)
    assert links.digest(token) == link.token_digest  # the one sent is the one that opens the portal
