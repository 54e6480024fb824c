"""Steps of the backup round trip that run in their own process against a real database (see test_backups.py).

    python -m rightsloop.core.tests.backup_scenario STEP [ARGUMENT...]

Each step prints one JSON object: the row count of every table, and what it read. The data lives in core
tables and in a table of sealed canaries this scenario owns, so no other app's tests or models matter.
"""

from __future__ import annotations

import io
import json
import os
import sys

CANARY_TABLE = "x6_backup_canary"
ORGANISATIONS = ("x6-canary-a", "x6-canary-b")


def _aad(organisation_slug: str, index: int) -> bytes:
    return f"x6 backup canary|{organisation_slug}|{index}".encode()


def _plaintext(organisation_slug: str, index: int) -> str:
    return f"Canary {index} of {organisation_slug}: what a defender told us, sealed — ñ, ü, 中文"


def _file_text(organisation_slug: str, index: int) -> bytes:
    return f"Briefing {index} of {organisation_slug}: a participant's address, 12 Workers Road\n".encode() * 3000


def files() -> dict[str, str]:
    """Every sealed file under MEDIA_ROOT, opened with the (restored) data keys: name -> text, or why it failed."""
    from pathlib import Path

    from django.conf import settings

    from rightsloop.core import sealed_files

    storage, found = sealed_files.sealed_storage(), {}
    root = Path(settings.MEDIA_ROOT)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        name = path.relative_to(root).as_posix()
        try:
            with storage.open(name) as opened:
                found[name] = opened.read().decode()[:80] + f" ({opened.size} bytes)"
        except Exception as error:  # reported: the test compares it
            found[name] = f"unreadable: {type(error).__name__}"
    return found


def counts() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        found = {}
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            found[table] = cursor.fetchone()[0]
    return found


def seed() -> dict:
    """Sealed canaries in a table of their own, under two organisations' data keys; then a backup."""
    from pathlib import Path

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction

    from rightsloop.core import sealed_files, sealing
    from rightsloop.core.models import Organisation

    blob = "BYTEA" if connection.vendor == "postgresql" else "BLOB"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {CANARY_TABLE} (id INTEGER PRIMARY KEY, organisation_id INTEGER NOT NULL, "
                       f"slug VARCHAR(50) NOT NULL, position INTEGER NOT NULL, sealed {blob} NOT NULL)")
        row = 0
        for slug in ORGANISATIONS:
            organisation = Organisation.objects.create(name=slug.replace("-", " ").title(), slug=slug)
            sealing.blind_index(organisation.pk, "canary@example.org")
            for index in range(2):  # sealed files on disk, under the organisation's key
                name = sealed_files.file_name("briefings", organisation.pk)
                sealed_files.write_sealed(Path(settings.MEDIA_ROOT), name, [_file_text(slug, index)])
            for index in range(3):
                row += 1
                sealed = sealing.OrganisationKey(organisation.pk).seal(_plaintext(slug, index), _aad(slug, index))
                cursor.execute(f"INSERT INTO {CANARY_TABLE} VALUES (%s, %s, %s, %s, %s)",  # noqa: S608
                               [row, organisation.pk, slug, index, sealed])
    seeded = counts()
    out = io.StringIO()
    call_command("backup", stdout=out)  # with this process's connection open, as a running app's would be
    return {"counts": seeded, "backup": out.getvalue().strip(), "files": files()}


def mutate() -> dict:
    """Change and delete what the backup holds, including the wrapped data keys the canaries need."""
    from pathlib import Path

    from django.conf import settings
    from django.db import connection, transaction

    from rightsloop.core import sealed_files
    from rightsloop.core.models import DataKey, Organisation

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {CANARY_TABLE} WHERE slug = %s", [ORGANISATIONS[0]])  # noqa: S608
        cursor.execute(f"UPDATE {CANARY_TABLE} SET sealed = %s", [b"overwritten"])  # noqa: S608
        Organisation.objects.filter(slug=ORGANISATIONS[1]).update(name="Renamed after the backup")
        later = Organisation.objects.create(name="Created after the backup", slug="x6-after-backup")
    # Files: one deleted, one added after the backup.
    root = Path(settings.MEDIA_ROOT)
    first = sorted(root.rglob("*.sealed"))[0]
    first.unlink()
    sealed_files.write_sealed(root, sealed_files.file_name("briefings", later.pk), [b"written after the backup"])
    mutated = files()
    with transaction.atomic():
        DataKey.objects.all().delete()
    return {"counts": counts(), "files": mutated}


def refuse(*archives: str) -> dict:
    """Try to restore each archive; report every refusal, then the counts (which must not have moved).

    ARCHIVE#wrong-key tries it under another key encryption key; ARCHIVE#in-use with a second connection
    open, as a running app would hold.
    """
    from django.core.management import CommandError, call_command
    from django.db import connections

    from rightsloop.core import keys

    refusals = []
    for archive in archives:
        path, _, trial = archive.partition("#")
        saved = os.environ.get("RIGHTSLOOP_KEK")
        other = connections.create_connection("default")
        if trial == "wrong-key":
            os.environ["RIGHTSLOOP_KEK"] = keys.new_secret()
            keys.forget()
        elif trial == "in-use":
            with other.cursor() as cursor:
                cursor.execute("SELECT COUNT(*) FROM django_migrations")
        try:
            call_command("restore", path, "--no-input", verbosity=0)
            refusals.append("restored!")
        except CommandError as error:
            refusals.append(str(error))
        finally:
            other.close()
            os.environ["RIGHTSLOOP_KEK"] = saved
            keys.forget()
    return {"refusals": refusals, "counts": counts()}


def check() -> dict:
    """Open every canary with the restored data keys."""
    from django.db import connection

    from rightsloop.core import sealing

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT organisation_id, slug, position, sealed FROM {CANARY_TABLE} ORDER BY id")  # noqa: S608
        rows = cursor.fetchall()
    opened = [sealing.OrganisationKey(org).open(bytes(sealed), _aad(slug, position))
              for org, slug, position, sealed in rows]
    expected = [_plaintext(slug, index) for slug in ORGANISATIONS for index in range(3)]
    return {"opened": opened, "expected": expected, "counts": counts(), "files": files()}


def check_then_undo(before_restore: str) -> dict:
    """Check the restored database, then restore the archive the restore saved first: the restore is undone."""
    from django.core.management import call_command

    checked = check()
    call_command("restore", before_restore, "--no-input", "--no-safety-backup", verbosity=0, stdout=io.StringIO())
    return {**checked, "undone_counts": counts(), "undone_files": files()}


def seed_person() -> dict:
    """Someone heard in an engagement, then a backup: they are readable in it."""
    from django.core.management import call_command

    from rightsloop.accounts.roles import Role
    from rightsloop.accounts.tests.factories import make_member, make_organisation
    from rightsloop.stakeholders.tests.factories import make_stakeholder

    lead = make_member(make_organisation("X6 Erasure Company"), Role.HR_LEAD)
    person = make_stakeholder(lead, name="Halima Yusuf", email="halima@example.org")
    call_command("backup", verbosity=0)
    return {"stakeholder": person.pk}


def erase(stakeholder_id: str) -> dict:
    from rightsloop.stakeholders.actions import erase_stakeholder
    from rightsloop.stakeholders.models import Stakeholder

    erase_stakeholder(stakeholder=Stakeholder.objects.get(pk=int(stakeholder_id)), reason="Asked to be forgotten",
                      by=None)
    return person(stakeholder_id)


def person(stakeholder_id: str) -> dict:
    from rightsloop.stakeholders.models import Stakeholder

    found = Stakeholder.objects.get(pk=int(stakeholder_id))
    return {"name": found.name, "email": found.email, "erased": found.erased_at is not None}


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    step, *arguments = sys.argv[1:]
    steps = {"seed": seed, "mutate": mutate, "refuse": refuse, "check": check, "check-then-undo": check_then_undo,
             "counts": lambda: {"counts": counts()}, "seed-person": seed_person, "erase": erase, "person": person}
    print(json.dumps(steps[step](*arguments)))
