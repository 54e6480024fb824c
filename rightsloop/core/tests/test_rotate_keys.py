from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from rightsloop.core import keys, sealing
from rightsloop.core.models import AuditEntry, DataKey
from rightsloop.stakeholders.models import Stakeholder
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db


def rotate(monkeypatch, *, current, previous=""):
    monkeypatch.setenv("RIGHTSLOOP_KEK", current)
    monkeypatch.setenv("RIGHTSLOOP_PREVIOUS_KEKS", previous)
    keys.forget()
    sealing.forget_cached_keys()


def test_rotation_rewraps_everything_once_and_nothing_fails_to_decrypt(hr_lead, monkeypatch):
    people = [make_stakeholder(hr_lead, name=f"Person {n}", email=f"p{n}@example.org") for n in range(5)]
    old = keys.encode(keys.key_encryption_keys()[0].secret)
    new = keys.new_secret()
    rotate(monkeypatch, current=new, previous=old)
    out = StringIO()
    call_command("rotate_keys", stdout=out)
    assert "2 data key(s) re-wrapped" in out.getvalue()
    wrapped = {row.pk: bytes(row.wrapped) for row in DataKey.objects.all()}
    call_command("rotate_keys", stdout=StringIO())
    assert {row.pk: bytes(row.wrapped) for row in DataKey.objects.all()} == wrapped
    assert set(DataKey.objects.values_list("kek_id", flat=True)) == {keys.key_id(keys.decode(new, "new"))}
    rotate(monkeypatch, current=new)
    for person in people:
        assert Stakeholder.objects.get(pk=person.pk).name == person.name
    assert AuditEntry.objects.filter(action="keys.rotated").count() == 2


def test_rotation_without_the_old_key_stops_and_changes_nothing(hr_lead, monkeypatch):
    make_stakeholder(hr_lead)
    before = {row.pk: bytes(row.wrapped) for row in DataKey.objects.all()}
    rotate(monkeypatch, current=keys.new_secret())
    with pytest.raises(CommandError):
        call_command("rotate_keys", stdout=StringIO())
    assert {row.pk: bytes(row.wrapped) for row in DataKey.objects.all()} == before
