"""load_demo into a database without the demo: kept apart from test_load_demo.py, whose tests share one loaded demo."""

import pytest
from django.core.management import CommandError

from rightsloop.accounts.models import User
from rightsloop.core.models import Organisation
from rightsloop.core.tests.test_audit_triggers import install_append_only_triggers
from rightsloop.demo import content
from rightsloop.demo.tests.test_load_demo import load_demo

pytestmark = pytest.mark.django_db


def test_refuses_to_take_over_an_existing_user_with_a_demo_username():
    install_append_only_triggers()
    User.objects.create_user(username=content.HR_LEAD, password="someone else's password")

    with pytest.raises(CommandError, match=content.HR_LEAD):
        load_demo()

    assert not Organisation.objects.filter(slug=content.ORGANISATION_SLUG).exists()
