"""X1: seed a thousand unique canaries into every sensitive field; no raw form of the data gives one up.

The raw forms checked: the SQLite database's bytes, `pg_dump` of the PostgreSQL database, the backup
archive, and every log record written while the data was created and read. Each canary is searched as text, upper-case,
hex and base64 (in all three alignments).
"""

import base64
import datetime
import io
import logging
import os
import secrets
import string
import subprocess

import pytest
from django.db import connection

from rightsloop.core import backups, keys
from rightsloop.engagements import actions as engagement_actions
from rightsloop.engagements.tests.factories import make_engagement, make_group, make_participation
from rightsloop.stakeholders import actions as stakeholder_actions
from rightsloop.stakeholders.models import Stakeholder
from rightsloop.stakeholders.tests.factories import make_stakeholder

PEOPLE = 110
PROTECTED = 20


def canary() -> str:
    return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(20))


def encodings(text: str) -> list[bytes]:
    raw = text.encode()
    forms = [raw, text.upper().encode(), raw.hex().encode(), raw.hex().upper().encode()]
    for prefix in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            encoded = encode(b"\0" * prefix + raw)
            forms.append(encoded[4:-4])  # the part that does not depend on neighbouring bytes
    return forms


def seed(hr_lead) -> list[str]:
    seeded = []

    def new() -> str:
        value = canary()
        seeded.append(value)
        return value

    engagement = make_engagement(hr_lead)
    proxy = make_stakeholder(hr_lead, kind="proxy", name="Proxy organisation", email="")
    # What the proxy relays for people at risk is their group's, sealed under the organisation's key (issue 12).
    group = make_group(hr_lead, proxy, name="Defenders")  # a group describes no one: its name is not sealed
    channel = make_participation(hr_lead, engagement, proxy)
    for number in range(PEOPLE):
        protected = number < PROTECTED
        person = make_stakeholder(
            hr_lead, name=f"{new()} {new()}", email=f"{new()}@example.org", phone=new(), messenger_handle=new(),
            postal_address=new(), notes=new(), accessibility_needs=new(),
            safety_level="high" if protected else "elevated",
        )
        stakeholder_actions.record_consent(stakeholder=person, scope="contact", granted=True, method="verbal",
                                           given_on=datetime.date(2026, 1, 1), notes=new(), by=hr_lead)
        participation = make_participation(
            hr_lead, engagement, person,
            **({"override_reason": new()} if protected and number % 2 else {"via_proxy": proxy} if protected else {}),
        )
        relayed = participation.via_proxy_id is not None
        item, _created = engagement_actions.record_input(
            engagement=engagement, speaker=channel if relayed else participation, group=group if relayed else None,
            text=new(), by=hr_lead)
        engagement_actions.record_decision(input=item, outcome="adopted", by=hr_lead)
        if not relayed:
            participation.refresh_from_db()
            engagement_actions.mark_feedback_delivered(participation=participation, channel="in_person", by=hr_lead)
    channel.refresh_from_db()
    engagement_actions.mark_feedback_delivered(participation=channel, channel="in_person", by=hr_lead)
    assert len(seeded) == len(set(seeded)) >= 1000
    return seeded


def backup_archive(dump: bytes, folder) -> bytes:
    """The backup archive of this database, as `manage.py backup` writes it."""
    if connection.vendor == "postgresql":
        path, _header = backups.back_up(output=folder)
        return path.read_bytes()
    # The test database lives in memory, which the online backup API cannot read from a file:
    # encrypt its serialised bytes exactly as back_up() encrypts the snapshot it takes.
    header = backups.Header(vendor="sqlite", kek_id=keys.current_kek().key_id, created_at="2026-11-22T00:00:00+00:00",
                            salt=os.urandom(backups.SALT_BYTES))
    out = io.BytesIO()
    writer = backups.ArchiveWriter(out, header, keys.current_kek())
    writer.write(dump)
    writer.finish()
    return out.getvalue()


def raw_database() -> bytes:
    if connection.vendor == "sqlite":
        return connection.connection.serialize()
    settings = connection.settings_dict
    command = ["pg_dump", "--no-owner", "-h", settings["HOST"] or "127.0.0.1", "-p", str(settings["PORT"] or 5432),
               "-U", settings["USER"] or "postgres", settings["NAME"]]
    return subprocess.run(command, check=True, capture_output=True, timeout=120).stdout  # noqa: S603


@pytest.mark.django_db(transaction=True)
def test_no_raw_form_of_the_data_contains_a_canary(hr_lead, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    seeded = seed(hr_lead)
    # Reading everything back works (and is logged like any other use)...
    for person in Stakeholder.objects.all():
        assert person.name and person.phone is not None
    dump = raw_database()
    archive = backup_archive(dump, tmp_path)
    logs = "\n".join(record.getMessage() for record in caplog.records).encode()
    assert len(dump) > 100_000 and len(archive) > 10_000
    leaks = [value for value in seeded for form in encodings(value)
             if form in dump or form in logs or form in archive]
    assert leaks == []
    # ...and the check would have found them: the same data read back does contain every canary.
    readable = "\n".join(
        f"{s.name} {s.email} {s.phone} {s.messenger_handle} {s.postal_address} {s.notes} {s.accessibility_needs}"
        for s in Stakeholder.objects.all()
    ).encode()
    assert sum(1 for value in seeded if value.encode() in readable) >= PEOPLE * 8
