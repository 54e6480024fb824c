"""The rating rounds' background tasks, each run twice: the end state is the same, no message goes twice."""

import pytest
from django.core import mail

from rightsloop.relationships import rating_tasks
from rightsloop.relationships.models import RatingFlag, RatingNotice
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .rating_factories import answer, make_round

pytestmark = pytest.mark.django_db


def test_the_notice_task_run_twice_sends_each_message_once(hr_lead):
    people = [make_stakeholder(hr_lead), make_stakeholder(hr_lead)]
    make_round(hr_lead, people)
    assert rating_tasks.send_rating_notices.call() == 2
    assert rating_tasks.send_rating_notices.call() == 0
    assert sorted(message.to[0] for message in mail.outbox) == sorted(person.email for person in people)
    assert RatingNotice.objects.filter(channel="email", sent_at__isnull=False).count() == 2


def test_the_flag_task_run_twice_tells_the_owner_once(hr_lead):
    person = make_stakeholder(hr_lead)
    answer(make_round(hr_lead, [person]), person, trust=1)  # the flag's own enqueue waits for a commit
    flag = RatingFlag.objects.get()
    assert rating_tasks.tell_owner_of_flag.call(flag.pk) is True
    assert rating_tasks.tell_owner_of_flag.call(flag.pk) is False
    assert [message.to for message in mail.outbox] == [[hr_lead.user.email]]
    flag.refresh_from_db()
    assert flag.notified_at is not None
