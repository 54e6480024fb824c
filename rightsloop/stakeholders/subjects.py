"""A person's data as a whole (X5): export all of it, or erase them so only anonymous facts remain.

Erasure destroys the person's own key first (crypto-shredding: everything sealed under it, in any
app, becomes unreadable at once), then clears the ciphertexts and the profile, and asks every app
that registered subject data (core.registry) to do the same with what it holds. Decisions, counts
and loop metrics survive without the person. Each erasure is appended to an erasure log kept outside
the database, so restoring an older backup can be followed by `manage.py replay_erasures`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.conf import settings
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from rightsloop.core.registry import site

from .models import ConsentRecord, DuplicateFlag, GroupMembership, Representation, Stakeholder
from .profiles import StakeholderProfile
from .queries import consent_history


def erasure_log_path() -> Path:
    configured = getattr(settings, "RIGHTSLOOP_ERASURE_LOG", None) or os.environ.get("RIGHTSLOOP_ERASURE_LOG")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "erasures.jsonl"


def append_to_erasure_log(stakeholder: Stakeholder) -> None:
    """One line per erasure: ids only, never who the person was."""
    path = erasure_log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"organisation": stakeholder.organisation.slug, "stakeholder": str(stakeholder.uid),
                       "erased_at": stakeholder.erased_at.isoformat()}, sort_keys=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def read_erasure_log(path: Path | None = None) -> list[dict]:
    path = path or erasure_log_path()
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def export_profile(stakeholder: Stakeholder) -> dict:
    profile = StakeholderProfile.of(stakeholder)
    return {
        "id": stakeholder.pk,
        "uid": str(stakeholder.uid),
        **profile.__dict__,
        "region_code": stakeholder.region_code,
        "global_south": stakeholder.global_south,
        "created_at": stakeholder.created_at.isoformat(),
        "updated_at": stakeholder.updated_at.isoformat(),
        "consents": [
            {"scope": c.scope, "granted": c.granted, "method": c.method, "given_on": c.given_on.isoformat(),
             "notes": c.notes, "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None}
            for c in consent_history(stakeholder)
        ],
        # The groups are the organisation's records; what is theirs is that they belong, or speak for one.
        "groups": [
            {"group": m.group.name, "added_at": m.added_at.isoformat()}
            for m in GroupMembership.objects.filter(stakeholder=stakeholder).select_related("group")
            .order_by("group__name", "id")
        ],
        "represents": [
            {"group": r.group.name, "legitimacy_basis": r.legitimacy_basis, "evidence": r.evidence,
             "reviewed_on": r.reviewed_on.isoformat() if r.reviewed_on else None,
             "ended_at": r.ended_at.isoformat() if r.ended_at else None}
            for r in Representation.objects.filter(proxy=stakeholder).select_related("group")
            .order_by("group__name", "id")
        ],
    }


def export(stakeholder: Stakeholder) -> dict:
    """Everything Rightsloop holds about one person, readable, as one JSON-ready document."""
    document = {
        "format": "rightsloop-subject-access/1",
        "exported_at": timezone.now().isoformat(),
        "stakeholder": export_profile(stakeholder),
    }
    for handler in site.subject_data:
        document[handler.key] = handler.export(stakeholder)
    return document


def shred(stakeholder: Stakeholder, *, now) -> None:
    """Destroy the person's key and clear what identifies them; the row stays as an anonymous fact."""
    for handler in site.subject_data:
        if handler.reads_identity:
            handler.erase(stakeholder)
    stakeholder.sealed_key = b""
    stakeholder.erased_at = now
    stakeholder.forget_plaintext()
    stakeholder.__dict__.pop("_person_key", None)
    for name in stakeholder.sealed_fields:
        setattr(stakeholder, f"{name}_sealed", b"")
    stakeholder.email_index = ""
    stakeholder.country = ""  # the region survives for aggregates; the country could single someone out
    stakeholder.preferred_language = ""
    Stakeholder.objects.filter(pk=stakeholder.pk).update(
        sealed_key=b"", erased_at=now, email_index="", country="",
        preferred_language="", affiliation=None, **{f"{name}_sealed": b"" for name in stakeholder.sealed_fields},
    )
    stakeholder.affiliation_id = None
    # Whom a person belongs to can say who they are; an erased organisation has no one left belonging to it.
    Stakeholder.objects.filter(affiliation=stakeholder).update(affiliation=None)
    stakeholder.traits.all().delete()
    stakeholder.name_tokens.all().delete()
    stakeholder.grants.all().delete()
    DuplicateFlag.objects.filter(stakeholder=stakeholder).delete()
    DuplicateFlag.objects.filter(other=stakeholder).delete()
    ConsentRecord.objects.filter(stakeholder=stakeholder).delete()
    # Belonging to a group can say who someone is (a defender, a refugee): it goes with them. The group stays.
    GroupMembership.objects.filter(stakeholder=stakeholder).delete()
    # A mandate stays as an ended, emptied row: inputs relayed under it still point at it.
    Representation.objects.filter(proxy=stakeholder).update(
        legitimacy_basis="", evidence="", ended_at=Coalesce("ended_at", Value(now)))
    for handler in site.subject_data:
        if not handler.reads_identity:
            handler.erase(stakeholder)
