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
from rightsloop.stakeholders.models import AffectedGroup, Representation
from rightsloop.stakeholders.queries import may_attribute_inputs
from rightsloop.stakeholders.vocabulary import Kind, SafetyLevel

from ..loops import refresh_loop
from ..models import Engagement, Input, Participation, Tag
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
