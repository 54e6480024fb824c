"""Record what stakeholders said and route it to the function that must decide."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from rightsloop.accounts.roles import Function
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit, languages
from rightsloop.risks.models import Mitigation, RiskInput, StrategicDecision
from rightsloop.stakeholders.models import AffectedGroup, Representation
from rightsloop.stakeholders.queries import may_attribute_inputs
from rightsloop.stakeholders.vocabulary import Kind, SafetyLevel

from ..loops import refresh_loop
from ..models import Decision, Engagement, Input, InputVersion, Participation, Tag
from ..vocabulary import Attribution

MAX_INPUT_LENGTH = 20_000


def _tags(organisation, names: Iterable[str]) -> list[Tag]:
    tags = []
    for raw in names:
        name = " ".join(raw.split())[:60]
        slug = slugify(name, allow_unicode=True)[:60]
        if not slug:
            continue
        tag = Tag.objects.filter(organisation=organisation, slug=slug).first()
        if tag is None:
            try:
                with transaction.atomic():
                    tag = Tag.objects.create(organisation=organisation, name=name)
            except IntegrityError:  # created meanwhile by a concurrent request
                tag = Tag.objects.get(organisation=organisation, slug=slug)
        if tag not in tags:
            tags.append(tag)
    return tags


def _replayed(engagement: Engagement, idempotency_key: str) -> Input | None:
    existing = Input.objects.filter(organisation=engagement.organisation, idempotency_key=idempotency_key).first()
    if existing is not None and existing.engagement_id != engagement.pk:
        raise ValidationError({"idempotency_key": _(
            "This idempotency key was already used for an input to another engagement."
        )})
    return existing


# People whose words, relayed by a proxy, must never be stored against their own record.
RELAYED_FOR_GROUP_ONLY = (SafetyLevel.ELEVATED, SafetyLevel.HIGH)


def _relay_errors(engagement: Engagement, speaker: Participation | None, group: AffectedGroup | None) -> dict:
    """Why this speaker cannot carry these words: a group speaks through a proxy that represents it, and a
    person at risk who takes part through a proxy is heard through the group, never on their own record."""
    if group is None:
        if speaker is not None and speaker.via_proxy_id and speaker.stakeholder.safety_level in RELAYED_FOR_GROUP_ONLY:
            return {"speaker": _(
                "This person is at risk and takes part through a proxy: what the proxy relays is not stored "
                "against them. Record it for the affected group the proxy speaks for (“group, through "
                "proxy”)."
            )}
        return {}
    if group.organisation_id != engagement.organisation_id:
        return {"group": _("Unknown affected group.")}
    if speaker is None:
        return {"speaker": _("Choose the proxy who relayed what the group said.")}
    if speaker.stakeholder.kind != Kind.PROXY or speaker.via_proxy_id:
        return {"speaker": _("Only a credible proxy taking part in its own name can relay a group's words.")}
    if not Representation.objects.current().filter(proxy_id=speaker.stakeholder_id, group=group).exists():
        return {"group": _("This proxy does not represent that group: record the representation first.")}
    return {}


def _check_function(owning_function: str) -> None:
    if owning_function and owning_function not in Function.values:
        raise ValidationError({"owning_function": _("Unknown function.")})


@transaction.atomic
def record_input(
    *,
    engagement: Engagement,
    text: str,
    by: Viewer,
    speaker: Participation | None = None,
    group: AffectedGroup | None = None,
    attribution: str | None = None,
    tags: Iterable[str] = (),
    owning_function: str = "",
    language: str = "",
    idempotency_key: str = "",
) -> tuple[Input, bool]:
    """Record one input; returns (input, created), and a repeated idempotency key returns the first input.

    With `group`, the speaker is a proxy relaying that affected group's words: the input is the group's,
    sealed under the organisation's key, and attribution is about naming the proxy as the channel.
    """
    if idempotency_key:
        existing = _replayed(engagement, idempotency_key)
        if existing is not None:
            return existing, False
    text = text.strip()
    errors = {}
    if not text:
        errors["text"] = _("Write down what was said.")
    elif len(text) > MAX_INPUT_LENGTH:
        errors["text"] = _("An input can be at most %(max)s characters.") % {"max": MAX_INPUT_LENGTH}
    if speaker is not None and speaker.engagement_id != engagement.pk:
        errors["speaker"] = _("This person does not take part in this engagement.")
    if language and not languages.is_known(language):
        errors["language"] = _("Use a two-letter ISO 639-1 language code.")
    if attribution not in (None, *Attribution.values):
        errors["attribution"] = _("Choose attributed or anonymised.")
    if not errors.get("speaker"):
        errors.update(_relay_errors(engagement, speaker, group))
    if errors:
        raise ValidationError(errors)
    _check_function(owning_function)
    # Not said: detected from the words (docs/languages.md), or left unknown when the text is too short to tell.
    language_detected = not language
    language = language or languages.detect(text)
    may_attribute = speaker is not None and may_attribute_inputs(speaker.stakeholder)
    if attribution is None:
        attribution = Attribution.ATTRIBUTED if may_attribute else Attribution.ANONYMISED
    if attribution == Attribution.ATTRIBUTED and not may_attribute:
        raise ValidationError({"attribution": _(
            "This person has not consented to attribution, or is at high risk: record the input anonymised."
        )})
    try:
        # A savepoint: two first attempts with the same key can race past the check above; the
        # unique constraint stops the second, which then answers with the first one's input.
        with transaction.atomic():
            item = Input.objects.create(
                organisation=engagement.organisation,
                engagement=engagement,
                speaker=speaker,
                group=group,
                attribution=attribution,
                text=text,
                language=language,
                language_detected=language_detected,
                owning_function=owning_function,
                recorded_by=by.user,
                triaged_at=timezone.now() if owning_function else None,
                idempotency_key=idempotency_key,
            )
    except IntegrityError:
        if not idempotency_key:
            raise
        return _replayed(engagement, idempotency_key), False
    item.tags.set(_tags(engagement.organisation, tags))
    if group is not None:
        speaker.speaks_for.add(group)  # a no-op when the proxy already speaks for it here
    refresh_loop(engagement, [speaker] if speaker else [])
    audit.record(
        organisation=engagement.organisation, by=by, action="input.recorded", target=item,
        summary=f"engagement #{engagement.pk}, {attribution}"
        + (f", relayed for group #{group.pk}" if group else "")
        + (f", routed to {owning_function}" if owning_function else ""),
        changed_fields=["text", "tags", "owning_function"],
    )
    return item, True


@transaction.atomic
def triage_input(
    *, input: Input, owning_function: str, tags: Iterable[str], by: Viewer
) -> Input:
    """Route an input to the function that owns the decision, and tag its themes."""
    _check_function(owning_function)
    before_function = input.owning_function
    before_tags = set(input.tags.values_list("slug", flat=True))
    new_tags = _tags(input.organisation, tags)
    changed = []
    if owning_function != before_function:
        input.owning_function = owning_function
        input.triaged_at = timezone.now() if owning_function else None
        input.save(update_fields=["owning_function", "triaged_at"])
        changed.append("owning_function")
    if {tag.slug for tag in new_tags} != before_tags:
        input.tags.set(new_tags)
        changed.append("tags")
    if changed:
        audit.record(
            organisation=input.organisation, by=by, action="input.triaged", target=input,
            summary=f"routed to {owning_function or 'nobody'}", changed_fields=changed,
        )
    return input


# Mending mistakes ------------------------------------------------------------------------------------------

def _check_stands(input: Input, field: str = "input") -> None:
    if input.is_withdrawn:
        raise ValidationError({field: _("This input was withdrawn.")})
    if input.is_merged:
        raise ValidationError({field: _("This input was merged into another and no longer stands.")})


@transaction.atomic
def edit_input(
    *,
    input: Input,
    text: str,
    speaker: Participation | None,
    group: AffectedGroup | None = None,
    attribution: str,
    tags: Iterable[str],
    by: Viewer,
) -> Input:
    """Correct what was recorded; the input as it read before is kept as an InputVersion, and links follow it."""
    input = Input.objects.select_for_update().select_related("engagement__organisation").get(pk=input.pk)
    engagement = input.engagement
    _check_stands(input, "text")
    text = text.strip()
    errors = {}
    if not text:
        errors["text"] = _("Write down what was said.")
    elif len(text) > MAX_INPUT_LENGTH:
        errors["text"] = _("An input can be at most %(max)s characters.") % {"max": MAX_INPUT_LENGTH}
    if speaker is not None and speaker.engagement_id != engagement.pk:
        errors["speaker"] = _("This person does not take part in this engagement.")
    if attribution not in Attribution.values:
        errors["attribution"] = _("Choose attributed or anonymised.")
    if not errors.get("speaker"):
        errors.update(_relay_errors(engagement, speaker, group))
    if not errors and attribution == Attribution.ATTRIBUTED and not (
            speaker is not None and may_attribute_inputs(speaker.stakeholder)):
        errors["attribution"] = _(
            "This person has not consented to attribution, or is at high risk: record the input anonymised.")
    if errors:
        raise ValidationError(errors)
    new_tags = _tags(input.organisation, tags)
    before_tags = sorted(tag.name for tag in input.tags.all())
    changed = [name for name, now, then in (
        ("text", text, input.text),
        ("speaker", speaker.pk if speaker else None, input.speaker_id),
        ("group", group.pk if group else None, input.group_id),
        ("attribution", attribution, input.attribution),
        ("tags", sorted(tag.name for tag in new_tags), before_tags),
    ) if now != then]
    if not changed:
        return input
    previous_speaker = input.speaker
    InputVersion.objects.create(
        organisation=input.organisation, input=input, version=input.version, text=input.text,
        speaker=input.speaker, group=input.group, attribution=input.attribution, tags=before_tags,
        replaced_by=by.user, replaced_at=timezone.now(), changed_fields=changed,
    )
    input.speaker = speaker
    input.group = group
    input.attribution = attribution
    # Written again even when unchanged: a new speaker means a new key, so the words are sealed anew under it.
    input.text = text
    input.version += 1
    fields = ["speaker", "group", "attribution", "version"]
    if "text" in changed and (input.language_detected or not input.language):
        input.language, input.language_detected = languages.detect(text), True
        fields += ["language", "language_detected"]
    input.save(update_fields=fields)
    if "tags" in changed:
        input.tags.set(new_tags)
    if "speaker" in changed or "group" in changed:
        if group is not None:
            speaker.speaks_for.add(group)
        _follow_speaker(input)
    refresh_loop(engagement, {p for p in (previous_speaker, speaker) if p is not None})
    audit.record(
        organisation=input.organisation, by=by, action="input.edited", target=input,
        summary=f"version {input.version - 1} kept; {', '.join(changed)} changed", changed_fields=changed,
    )
    return input


def _follow_speaker(input: Input) -> None:
    """Risk links carry a copy of who spoke (risks.RiskInput): correct the copy with the input."""
    RiskInput.objects.filter(input=input).update(
        stakeholder_id=input.speaker.stakeholder_id if input.speaker_id else None, group_id=input.group_id)


@transaction.atomic
def withdraw_input(*, input: Input, reason: str, by: Viewer) -> Input:
    """Withdraw an input recorded by mistake: it is kept with its reason, but no letter or figure counts it."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this input is withdrawn.")})
    if len(reason) > 2000:
        raise ValidationError({"reason": _("Keep the reason under 2,000 characters.")})
    input = Input.objects.select_for_update().select_related("engagement").get(pk=input.pk)
    _check_stands(input, "reason")
    mark_withdrawn(input, reason, by)
    refresh_loop(input.engagement, [input.speaker] if input.speaker_id else [])
    audit.record(
        organisation=input.organisation, by=by, action="input.withdrawn", target=input,
        # The reason may describe the speaker: it is sealed on the input, not copied into the log.
        summary=f"engagement #{input.engagement_id}", changed_fields=["withdrawn_at", "withdrawal_reason"],
    )
    return input


def mark_withdrawn(input: Input, reason: str, by: Viewer) -> None:
    input.withdrawn_at = timezone.now()
    input.withdrawn_by = by.user
    input.withdrawal_reason = reason
    input.save(update_fields=["withdrawn_at", "withdrawn_by"])


@transaction.atomic
def merge_inputs(*, keep: Input, duplicate: Input, by: Viewer) -> Input:
    """Fold an input recorded twice into the one kept; the duplicate stays, pointing at it, and stands no more.

    The kept input gains the duplicate's tags and its links to risks, mitigations and strategic decisions.
    Its own decision stands; when it has none, the duplicate's current decision is recorded on it as a new
    revision. The duplicate keeps its own decision history.
    """
    if keep.pk == duplicate.pk:
        raise ValidationError({"duplicate": _("Choose another input than the one kept.")})
    # Only the inputs are locked: PostgreSQL cannot lock the nullable side of the decision's outer join.
    locked = {i.pk: i for i in Input.objects.select_for_update(of=("self",)).select_related(
        "current_decision").filter(pk__in=[keep.pk, duplicate.pk])}
    keep, duplicate = locked[keep.pk], locked[duplicate.pk]
    _check_stands(keep, "keep")
    _check_stands(duplicate, "duplicate")
    if duplicate.engagement_id != keep.engagement_id:
        raise ValidationError({"duplicate": _("Only inputs of the same engagement can be merged.")})
    if (duplicate.speaker_id, duplicate.group_id) != (keep.speaker_id, keep.group_id):
        raise ValidationError({"duplicate": _(
            "These inputs were recorded for different speakers: each person's words stay theirs. "
            "Correct the speaker first if one of them is wrong."
        )})
    now = timezone.now()
    carried = []
    extra_tags = set(duplicate.tags.values_list("pk", flat=True)) - set(keep.tags.values_list("pk", flat=True))
    if extra_tags:
        keep.tags.add(*extra_tags)
        carried.append("tags")
    risk_ids = set(RiskInput.objects.filter(input=duplicate).values_list("risk_id", flat=True)) - set(
        RiskInput.objects.filter(input=keep).values_list("risk_id", flat=True))
    if risk_ids:
        RiskInput.objects.bulk_create([RiskInput(
            risk_id=risk_id, input=keep, stakeholder_id=keep.speaker.stakeholder_id if keep.speaker_id else None,
            group_id=keep.group_id) for risk_id in sorted(risk_ids)])
        carried.append("risks")
    for model, name in ((Mitigation, "mitigations"), (StrategicDecision, "strategic_decisions")):
        linked = set(model.objects.filter(inputs=duplicate).values_list("pk", flat=True)) - set(
            model.objects.filter(inputs=keep).values_list("pk", flat=True))
        if linked:
            getattr(keep, name).add(*linked)
            carried.append(name)
    if not keep.outcome and duplicate.current_decision is not None:
        decided = duplicate.current_decision
        revision = (keep.decisions.order_by("-revision").values_list("revision", flat=True).first() or 0) + 1
        decision = Decision.objects.create(
            organisation=keep.organisation, input=keep, revision=revision, outcome=decided.outcome,
            rationale=decided.rationale, next_step=decided.next_step, next_step_due=decided.next_step_due,
            function=decided.function or keep.owning_function, decided_by=decided.decided_by, decided_at=now,
        )
        keep.current_decision = decision
        keep.outcome = decision.outcome
        keep.decided_at = now
        keep.save(update_fields=["current_decision", "outcome", "decided_at"])
        carried.append("decision")
    if not keep.owning_function and duplicate.owning_function:
        keep.owning_function = duplicate.owning_function
        keep.triaged_at = now
        keep.save(update_fields=["owning_function", "triaged_at"])
        carried.append("owning_function")
    duplicate.merged_into = keep
    duplicate.merged_at = now
    duplicate.merged_by = by.user
    duplicate.save(update_fields=["merged_into", "merged_at", "merged_by"])
    refresh_loop(keep.engagement, [keep.speaker] if keep.speaker_id else [])
    audit.record(
        organisation=keep.organisation, by=by, action="input.merged", target=keep,
        summary=f"input #{duplicate.pk} merged into it" + (f"; carried over: {', '.join(carried)}" if carried else ""),
        changed_fields=["merged_into"],
    )
    return keep
