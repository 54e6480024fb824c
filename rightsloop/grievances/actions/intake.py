"""Raising a grievance (M1): the public page, the public API and staff recording another channel all call
`submit_grievance`. Keyword-only, typed, atomic, audited; the receipt exists only in what it returns.

An acknowledged submission is never lost and never doubled: the case, its first stage, its files and its audit
entry are written in one transaction, the caller shows the receipt only once that committed, and the same
submission sent again (the same idempotency key and the same text) is answered with the same case and the same
receipt. Nothing the person wrote reaches the audit log, a log line or str(): the summary names the case number,
the channel and the way they came forward.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit, countries
from rightsloop.stakeholders.vocabulary import AtRisk

from .. import attachments as attachment_rules
from .. import receipts
from ..models import CaseAttachment, Grievance, GrievanceSettings, StageChange
from ..vocabulary import Channel, Mode, RaisedBy, Stage

DESCRIPTION_MAX = 20_000
# The other texts: short ones fit a line, long ones a paragraph or two.
TEXT_LIMITS = {
    "when_text": 200,
    "product": 200,
    "affected_people": 5_000,
    "wanted_outcome": 5_000,
    "complainant_name": 200,
    "complainant_contact": 500,
    "represents": 1_000,
}
SUBMISSION_KEY_MIN = 8
SUBMISSION_KEY_MAX = 200
ATTEMPTS = 8
# What a form or a client sends for characters it could not read as UTF-8 (Django decodes with "replace").
REPLACEMENT = "\ufffd"


@dataclass
class GrievanceReport:
    """What the person told us, as the form or the API hands it over; `check` says what is wrong."""

    mode: str
    raised_by: str
    description: str
    country: str = ""
    occurred_on: datetime.date | None = None
    when_text: str = ""
    product: str = ""
    affected_people: str = ""
    wanted_outcome: str = ""
    complainant_name: str = ""
    complainant_contact: str = ""
    represents: str = ""
    at_risk: list[str] = field(default_factory=list)
    supported_by_adviser: bool = False
    interface_language: str = ""

    def check(self, *, today: datetime.date, identified: bool = False) -> GrievanceReport:
        """The report cleaned (texts stripped, codes normalised); ValidationError naming every broken rule.

        `identified`: the complainant is already known (a stakeholder of the register), so a confidential or
        named case needs no name or contact typed again.
        """
        errors: dict[str, list[str]] = {}

        def add(name: str, message: str) -> None:
            errors.setdefault(name, []).append(message)

        texts = {}
        for name, limit in {"description": DESCRIPTION_MAX, **TEXT_LIMITS}.items():
            value = getattr(self, name)
            if not isinstance(value, str):
                add(name, _("Give text."))
                continue
            value = value.strip()
            if REPLACEMENT in value:
                add(name, _("Some characters of this text could not be read (it is not valid UTF-8). Type or "
                            "paste it again."))
            if "\x00" in value:
                add(name, _("Text may not contain NUL characters."))
            if len(value) > limit:
                add(name, _("Keep this under %(limit)s characters; it has %(count)s. Say the most important "
                            "first: you can add more later through the follow-up page.") % {
                    "limit": f"{limit:,}", "count": f"{len(value):,}"})
            texts[name] = value
        if "description" in texts and not texts["description"]:
            add("description", _("Tell us what happened: this is the one thing we need."))
        if self.mode not in Mode.values:
            add("mode", _("Choose how you come forward: anonymous, confidential or named."))
        if self.raised_by not in RaisedBy.values:
            add("raised_by", _("Say who is raising this."))
        country = (self.country or "").strip().upper() if isinstance(self.country, str) else None
        if country is None or (country and countries.get(country) is None):
            add("country", _("Choose a country from the list, or leave it empty."))
        if self.occurred_on is not None:
            if not isinstance(self.occurred_on, datetime.date):
                add("occurred_on", _("Give a date."))
            elif self.occurred_on > today + datetime.timedelta(days=1):
                add("occurred_on", _("This date is in the future."))
            elif self.occurred_on.year < 1900:
                add("occurred_on", _("Give a date after 1900."))
        at_risk = self.at_risk if isinstance(self.at_risk, list | tuple) else None
        if at_risk is None or any(code not in AtRisk.values for code in at_risk):
            add("at_risk", _("Unknown group at risk."))
        if self.mode == Mode.ANONYMOUS:
            for name in ("complainant_name", "complainant_contact"):
                if texts.get(name):
                    add(name, _("You chose to stay anonymous, so we do not take a name or contact. Leave this "
                                "empty, or choose to come forward confidentially."))
        elif (self.mode in (Mode.CONFIDENTIAL, Mode.NAMED) and not identified
              and not texts.get("complainant_name") and not texts.get("complainant_contact")):
            add("complainant_name", _("Give your name or a way to reach you, or choose to stay anonymous."))
        if errors:
            raise ValidationError(errors)
        language = self.interface_language if isinstance(self.interface_language, str) else ""
        return GrievanceReport(
            mode=self.mode, raised_by=self.raised_by, country=country, occurred_on=self.occurred_on,
            at_risk=sorted(set(at_risk)), supported_by_adviser=bool(self.supported_by_adviser),
            interface_language=language if language in dict(settings.LANGUAGES) else "", **texts)


@dataclass
class Submitted:
    grievance: Grievance
    receipt: str  # 32 digits; receipts.display() groups them
    created: bool


def submission_digest(submission_key: str) -> str:
    """What is stored of an idempotency key: its SHA-256, so the key (which derives the receipt) is not."""
    return hashlib.sha256(submission_key.encode()).hexdigest() if submission_key else ""


def check_submission_key(submission_key: str, *, field_name: str = "submission_key") -> str:
    if not isinstance(submission_key, str):
        raise ValidationError({field_name: [_("Give the key as text.")]})
    submission_key = submission_key.strip()
    if submission_key and not (SUBMISSION_KEY_MIN <= len(submission_key) <= SUBMISSION_KEY_MAX
                               and submission_key.isascii() and submission_key.isprintable()):
        raise ValidationError({field_name: [_("An idempotency key is %(min)d to %(max)d printable ASCII "
                                              "characters.") % {"min": SUBMISSION_KEY_MIN,
                                                                "max": SUBMISSION_KEY_MAX}]})
    return submission_key


def _check_recorder(organisation, by: Viewer | None) -> None:
    if by is None:
        return
    if by.organisation.pk != organisation.pk or not (
            by.can(Capability.GRIEVANCES_RECORD) or by.can(Capability.GRIEVANCES_HANDLE)):
        raise PermissionDenied(_("Your role does not allow recording grievances."))


def _check_links(organisation, *, stakeholder, proxy, on_behalf_of, mode: str) -> None:
    errors = {}
    for name, linked in (("stakeholder", stakeholder), ("proxy", proxy), ("on_behalf_of", on_behalf_of)):
        if linked is not None and linked.organisation_id != organisation.pk:
            errors[name] = [_("Not found.")]
    if stakeholder is not None and mode == Mode.ANONYMOUS:
        errors.setdefault("stakeholder", []).append(
            _("An anonymous case is linked to nobody: choose confidential or named to link a stakeholder."))
    if errors:
        raise ValidationError(errors)


def _same_submission(existing: Grievance, report: GrievanceReport, submission_key: str) -> Submitted:
    if existing.description != report.description:
        raise ValidationError({"submission_key": [_(
            "This form was already sent, with other words. Your grievance was received the first time: follow it "
            "with the receipt you were given. To raise something new, open the page again.")]})
    receipt = receipts.compose(existing.reference, receipts.secret_for(existing.organisation_id, submission_key))
    return Submitted(grievance=existing, receipt=receipt, created=False)


def _detect_language(text: str) -> str:
    from rightsloop.core.languages import detect

    return detect(text)


def submit_grievance(*, organisation, report: GrievanceReport, channel: str, submission_key: str = "",
                     attachments: Sequence = (), by: Viewer | None = None, stakeholder=None, proxy=None,
                     on_behalf_of=None, now: datetime.datetime | None = None) -> Submitted:
    """Record a grievance and give its receipt; the same submission sent again gives the same case and receipt."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    _check_recorder(organisation, by)
    if channel not in Channel.values:
        raise ValidationError({"channel": [_("Unknown channel.")]})
    submission_key = check_submission_key(submission_key)
    report = report.check(today=today, identified=stakeholder is not None)
    _check_links(organisation, stakeholder=stakeholder, proxy=proxy, on_behalf_of=on_behalf_of, mode=report.mode)
    digest = submission_digest(submission_key)
    if digest:
        existing = Grievance.objects.filter(organisation=organisation, submission_key=digest).first()
        if existing is not None:
            return _same_submission(existing, report, submission_key)
    files = attachment_rules.check(list(attachments))
    language = _detect_language(report.description)
    written: list = []
    try:
        with transaction.atomic():
            return _create(organisation=organisation, report=report, channel=channel, submission_key=submission_key,
                           digest=digest, files=files, by=by, stakeholder=stakeholder, proxy=proxy,
                           on_behalf_of=on_behalf_of, language=language, now=now, today=today, written=written)
    except BaseException:
        # Nothing is left of a submission that failed: its rows rolled back, and its sealed files go too.
        for stored in written:
            stored.storage.delete(stored.name)
        raise


def _create(*, organisation, report: GrievanceReport, channel: str, submission_key: str, digest: str, files,
            by: Viewer | None, stakeholder, proxy, on_behalf_of, language: str, now, today, written) -> Submitted:
    mechanism = GrievanceSettings.of(organisation)
    secret = receipts.secret_for(organisation.pk, submission_key)
    for _attempt in range(ATTEMPTS):
        number = (Grievance.objects.filter(organisation=organisation).aggregate(top=Max("number"))["top"] or 0) + 1
        reference = receipts.new_reference()
        receipt = receipts.compose(reference, secret)
        grievance = Grievance(
            organisation=organisation, number=number, reference=reference, receipt_hash=receipts.hash_receipt(receipt),
            submission_key=digest, mode=report.mode, raised_by=report.raised_by, channel=channel, language=language,
            interface_language=report.interface_language, country=report.country, occurred_on=report.occurred_on,
            product=report.product, description=report.description, when_text=report.when_text,
            affected_people=report.affected_people, wanted_outcome=report.wanted_outcome,
            complainant_name=report.complainant_name, complainant_contact=report.complainant_contact,
            represents=report.represents, stakeholder=stakeholder, proxy=proxy, on_behalf_of=on_behalf_of,
            supported_by_adviser=report.supported_by_adviser, at_risk=report.at_risk,
            recorded_by=by.user if by else None, stage=Stage.RECEIVED, stage_changed_at=now, received_at=now,
            acknowledge_due_on=today + datetime.timedelta(days=mechanism.acknowledge_days),
            respond_due_on=today + datetime.timedelta(days=mechanism.respond_days))
        try:
            with transaction.atomic():
                grievance.save(force_insert=True)
            break
        except IntegrityError:
            if digest:
                # The same submission, committed by a concurrent request since we looked.
                existing = Grievance.objects.filter(organisation=organisation, submission_key=digest).first()
                if existing is not None:
                    return _same_submission(existing, report, submission_key)
            # Another case took the number or the reference meanwhile: draw again.
            continue
    else:
        raise IntegrityError("could not number the grievance after several attempts")
    StageChange.objects.create(grievance=grievance, from_stage="", to_stage=Stage.RECEIVED,
                               by=by.user if by else None, at=now)
    for checked in files:
        attachment = CaseAttachment(grievance=grievance, file_name=checked.name, content_type=checked.content_type,
                                    size=checked.size, from_complainant=True, uploaded_by=by.user if by else None,
                                    uploaded_at=now)
        attachment.file.save("upload", checked.upload, save=False)
        written.append(attachment.file)
        attachment.save()
    audit.record(organisation=organisation, by=by, action="grievance.received", target=grievance,
                 summary=f"{grievance.label} received ({channel}, {report.mode}, {len(files)} file(s))",
                 changed_fields=["description", *(["attachments"] if files else [])])
    return Submitted(grievance=grievance, receipt=receipt, created=True)
