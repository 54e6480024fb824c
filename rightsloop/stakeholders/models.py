"""The stakeholder register (S1): people and organisations we may engage."""

from __future__ import annotations

import datetime
import unicodedata
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from rightsloop.core import countries, sealing
from rightsloop.core import languages as language_codes
from rightsloop.core.models import Organisation, OrganisationScopedQuerySet
from rightsloop.core.sealing import Sealed, SealedModel

from .vocabulary import (
    AtRisk,
    Channel,
    ConsentMethod,
    ConsentScope,
    EntityType,
    Kind,
    SafetyLevel,
    Technology,
    Trait,
)


def name_key(name: str) -> str:
    """Fold a name for near-duplicate comparison: no accents, case or punctuation."""
    decomposed = unicodedata.normalize("NFKD", name)
    letters = (ch for ch in decomposed if not unicodedata.combining(ch))
    cleaned = "".join(ch if ch.isalnum() else " " for ch in letters).casefold()
    return " ".join(cleaned.split())


def name_words(name: str) -> list[str]:
    """The folded words of a name, each looked up through the blind index."""
    return sorted(set(name_key(name).split()))


def email_key(email: str) -> str:
    return email.strip().lower()


class StakeholderQuerySet(OrganisationScopedQuerySet):
    def with_trait(self, dimension: str, code: str):
        # "pk IN (…)" rather than a correlated EXISTS: SQLite then reads the trait_lookup index once
        # instead of once per stakeholder when counting a filtered page (docs/performance.md).
        return self.filter(
            pk__in=StakeholderTrait.objects.filter(dimension=dimension, code=code).values("stakeholder_id")
        )

    def speaking(self, language: str):
        return self.with_trait(Trait.LANGUAGE, language)

    def at_risk(self, attribute: str):
        return self.with_trait(Trait.AT_RISK, attribute)

    def rights_holders(self):
        """Affected stakeholders and the proxies who speak for them: the voices that count as affected."""
        return self.filter(kind__in=[Kind.AFFECTED, Kind.PROXY])

    def protected(self):
        return self.filter(safety_level=SafetyLevel.HIGH)

    def search(self, organisation: Organisation, text: str):
        """Match a whole email address, or every word of the text against whole words of the name.

        Names are sealed, so the database only holds keyed fingerprints of their words: a word
        matches exactly (accents and case folded), never as a fragment.
        """
        text = text.strip()
        if not text:
            return self
        if "@" in text:
            # An address is looked up whole; keeping it apart from the name words spares the
            # database an OR that would make it test every stakeholder.
            return self.filter(email_index=sealing.blind_index(organisation.pk, email_key(text)))
        matching = self
        for word in name_words(text):
            matching = matching.filter(pk__in=NameToken.objects.filter(
                token=sealing.blind_index(organisation.pk, word)).values("stakeholder_id"))
        return matching


class Stakeholder(SealedModel, models.Model):
    """A person or organisation we may engage; everything that identifies or reaches them is sealed."""

    sealed_fields = ("name", "email", "phone", "messenger_handle", "postal_address", "notes",
                     "accessibility_needs")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="stakeholders")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # This person's own key, wrapped by the organisation's data key; erasure destroys it.
    sealed_key = models.BinaryField(default=b"", editable=False)
    entity_type = models.CharField(_("person or organisation"), max_length=16, choices=EntityType.choices,
                                   default=EntityType.ORGANISATION)
    name = Sealed(_("name"))
    name_sealed = models.BinaryField(default=b"", editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    country = models.CharField(_("country"), max_length=2, blank=True)
    # Derived from the shipped M49 table on save; never entered by hand.
    region_code = models.CharField(_("region"), max_length=3, blank=True, editable=False)
    subregion_code = models.CharField(_("sub-region"), max_length=3, blank=True, editable=False)
    global_south = models.BooleanField(_("Global South"), null=True, editable=False)
    email = Sealed(_("email"))
    email_sealed = models.BinaryField(default=b"", editable=False)
    # Keyed fingerprint of the email, for duplicate detection and exact search.
    email_index = models.CharField(max_length=32, blank=True, editable=False)
    phone = Sealed(_("phone"))
    phone_sealed = models.BinaryField(default=b"", editable=False)
    messenger_handle = Sealed(_("secure messenger handle"))
    messenger_handle_sealed = models.BinaryField(default=b"", editable=False)
    postal_address = Sealed(_("postal address"))
    postal_address_sealed = models.BinaryField(default=b"", editable=False)
    preferred_language = models.CharField(
        _("preferred language"), max_length=3, blank=True,
        help_text=_("Feedback reports are written in this language when a translation exists."),
    )
    preferred_channel = models.CharField(_("preferred channel"), max_length=24, choices=Channel.choices,
                                         default=Channel.EMAIL)
    accessibility_needs = Sealed(_("accessibility needs"))
    accessibility_needs_sealed = models.BinaryField(default=b"", editable=False)
    safety_level = models.CharField(_("safety level"), max_length=16, choices=SafetyLevel.choices,
                                    default=SafetyLevel.NORMAL)
    notes = Sealed(_("notes"))
    notes_sealed = models.BinaryField(default=b"", editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A person's organisation in the register (engagement load counts a person's requests towards it).
    affiliation = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="affiliated_people",
        verbose_name=_("organisation they belong to"),
    )

    objects = StakeholderQuerySet.as_manager()

    class Meta:
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")
        # Names are sealed, so the register lists newest first rather than alphabetically.
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "-created_at", "-id"], name="stakeholder_org_newest"),
            models.Index(fields=["organisation", "email_index"], name="stakeholder_org_email"),
            models.Index(fields=["organisation", "country"], name="stakeholder_org_country"),
            models.Index(fields=["organisation", "kind"], name="stakeholder_org_kind"),
            models.Index(fields=["organisation", "region_code"], name="stakeholder_org_region"),
            # Covers the register's counts (split by safety level, see queries.stakeholder_count) and
            # its common filters, so counting reads this index alone, not the wide sealed rows.
            models.Index(fields=["organisation", "safety_level", "global_south", "region_code", "kind", "id"],
                         name="stakeholder_filters"),
        ]

    def __str__(self) -> str:
        # Never the name: str() ends up in logs and error reports.
        return f"stakeholder {self.pk}"

    def save(self, *args, **kwargs):
        self.normalise()
        self.derive_geography()
        fresh_key = self.ensure_person_key()
        sealed_columns = self.seal_pending()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | set(sealed_columns) | {
                "country", "email_index", "region_code", "subregion_code", "global_south",
            } | ({"sealed_key"} if fresh_key else set())
        super().save(*args, **kwargs)

    def clean(self) -> None:
        # Whom a proxy speaks for, and why, are Representation rows (actions check a proxy has one).
        errors = {}
        if self.country and countries.get(self.country) is None:
            errors["country"] = _("Unknown country code.")
        if self.affiliation_id is not None:
            error = self.affiliation_error()
            if error:
                errors["affiliation"] = error
        if errors:
            raise ValidationError(errors)

    def affiliation_error(self) -> str:
        """Why this affiliation cannot stand, or "": only a person belongs to an organisation of the same register."""
        other = self.affiliation
        if self.entity_type != EntityType.PERSON:
            return _("Only a person belongs to an organisation.")
        if other is None or other.pk == self.pk or other.organisation_id != self.organisation_id:
            return _("Unknown organisation.")
        if other.entity_type != EntityType.ORGANISATION or other.is_erased:
            return _("Choose a stakeholder registered as an organisation.")
        return ""

    def normalise(self) -> None:
        plain = self.__dict__.get("_pending_seal", set())
        if "name" in plain:
            self.name = " ".join(self.name.split())
        if "email" in plain:
            self.email = email_key(self.email)
            self.email_index = sealing.blind_index(self.organisation_id, self.email)
        self.country = self.country.strip().upper()

    def ensure_person_key(self) -> bool:
        """Give a new row its own key; returns True when one was made."""
        if bytes(self.sealed_key or b"") or self.erased_at is not None:
            return False
        wrapped, key = sealing.new_person_key(self.organisation_id, self.uid)
        self.sealed_key = wrapped
        self.__dict__["_person_key"] = key
        return True

    def sealing_key(self):
        if "_person_key" not in self.__dict__:
            wrapped = bytes(self.sealed_key or b"")
            self.__dict__["_person_key"] = (
                sealing.unwrap_person_key(self.organisation_id, self.uid, wrapped) if wrapped else None
            )
        return self.__dict__["_person_key"]

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    def refresh_name_tokens(self) -> None:
        """Keep the blind-index words of the name in step with the sealed name."""
        wanted = {sealing.blind_index(self.organisation_id, word) for word in name_words(self.name)}
        existing = set(self.name_tokens.values_list("token", flat=True))
        if wanted == existing:
            return
        self.name_tokens.filter(token__in=existing - wanted).delete()
        NameToken.objects.bulk_create([NameToken(stakeholder=self, token=token) for token in wanted - existing])

    def derive_geography(self) -> None:
        country = countries.get(self.country) if self.country else None
        self.region_code = country.region_code if country else ""
        self.subregion_code = country.subregion_code if country else ""
        self.global_south = country.global_south if country else None

    @property
    def country_info(self) -> countries.Country | None:
        return countries.get(self.country) if self.country else None

    @property
    def is_protected(self) -> bool:
        return self.safety_level == SafetyLevel.HIGH

    @property
    def counts_as_affected_voice(self) -> bool:
        return self.kind in (Kind.AFFECTED, Kind.PROXY)

    def traits_of(self, dimension: str) -> list[str]:
        # Works with prefetch_related("traits") without extra queries.
        return sorted(t.code for t in self.traits.all() if t.dimension == dimension)

    @property
    def languages(self) -> list[str]:
        return self.traits_of(Trait.LANGUAGE)

    @property
    def at_risk_attributes(self) -> list[str]:
        return self.traits_of(Trait.AT_RISK)

    @property
    def at_risk_labels(self) -> list[str]:
        return [str(AtRisk(code).label) for code in self.at_risk_attributes if code in AtRisk.values]

    @property
    def traits_of_rights(self) -> list[str]:
        return self.traits_of(Trait.RIGHT)

    @property
    def technology_labels(self) -> list[str]:
        return [str(Technology(code).label) for code in self.traits_of(Trait.TECHNOLOGY)
                if code in Technology.values]

    @property
    def safe_channels(self) -> list[str]:
        return self.traits_of(Trait.SAFE_CHANNEL)

    @property
    def safe_channel_labels(self) -> list[str]:
        return [str(Channel(code).label) for code in self.safe_channels if code in Channel.values]


class StakeholderTrait(models.Model):
    """One value of a multi-valued profile field (a language, an expertise, an at-risk attribute)."""

    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="traits")
    dimension = models.CharField(max_length=16, choices=Trait.choices)
    code = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stakeholder", "dimension", "code"], name="one_trait_value"),
        ]
        indexes = [models.Index(fields=["dimension", "code", "stakeholder"], name="trait_lookup")]

    def __str__(self) -> str:
        return f"{self.dimension}={self.code}"


class NameToken(models.Model):
    """A keyed fingerprint of one word of a stakeholder's name, so a sealed name can still be searched."""

    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="name_tokens")
    token = models.CharField(max_length=32)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stakeholder", "token"], name="one_name_token")]
        indexes = [models.Index(fields=["token", "stakeholder"], name="name_token_lookup")]

    def __str__(self) -> str:
        return f"{self.stakeholder_id}:{self.token[:8]}"


class ConsentRecordQuerySet(models.QuerySet):
    def current(self):
        return self.filter(withdrawn_at__isnull=True)


class ConsentRecord(SealedModel, models.Model):
    """What a stakeholder agreed (or refused) to, when and how; withdrawal keeps the record."""

    sealed_fields = ("notes",)

    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="consents")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    scope = models.CharField(_("scope"), max_length=24, choices=ConsentScope.choices)
    granted = models.BooleanField(_("granted"), default=True)
    method = models.CharField(_("how it was given"), max_length=16, choices=ConsentMethod.choices)
    given_on = models.DateField(_("date"))
    # Notes about a consent can name the person or the circumstances: sealed under their key.
    notes = Sealed(_("notes"))
    notes_sealed = models.BinaryField(default=b"", editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    objects = ConsentRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-given_on", "-id"]

    def __str__(self) -> str:
        return f"{self.scope}: {'yes' if self.granted else 'no'}"

    def sealing_key(self):
        return self.stakeholder.sealing_key()


class GrantQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class StakeholderGrant(models.Model):
    """Explicit permission for one user to know that a high-safety stakeholder exists and who they are."""

    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stakeholder_grants")
    reason = models.CharField(_("reason"), max_length=300)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    objects = GrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        constraints = [
            models.UniqueConstraint(fields=["stakeholder", "user"], condition=models.Q(revoked_at__isnull=True),
                                    name="one_active_grant"),
        ]
        indexes = [models.Index(fields=["user", "revoked_at"], name="grant_user")]

    def __str__(self) -> str:
        return f"grant {self.stakeholder_id} to {self.user_id}"


class DuplicateFlag(models.Model):
    """A likely duplicate spotted when a stakeholder was registered, kept until someone resolves it."""

    class Reason(models.TextChoices):
        SAME_EMAIL = "same_email", _("Same email address")
        SIMILAR_NAME = "similar_name", _("Near-identical name in the same country")

    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="duplicate_flags")
    other = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stakeholder", "other"], name="one_flag_per_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.stakeholder_id}~{self.other_id} ({self.reason})"


class AffectedGroupQuerySet(OrganisationScopedQuerySet):
    pass


# A representative's mandate goes stale: the papers ask that legitimacy be checked again, not assumed.
REVIEW_EVERY = datetime.timedelta(days=365)


class AffectedGroup(models.Model):
    """People affected in the same way by the company's products, often heard only through those who speak
    for them. The record describes the group, never a person in it: it is what an input relayed by a proxy
    is attributed to, so the words are not tied to any one individual."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="affected_groups")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200,
                            help_text=_("Describe the group (for example “women human rights defenders in "
                                        "the north”); never name a person."))
    description = models.TextField(_("description"), blank=True)
    # ISO 3166 alpha-2 codes, ISO 639-1 codes and AtRisk values; a group has a handful of each, and an
    # organisation tens of groups, so lists on the row are enough to count by.
    countries = models.JSONField(_("countries"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    at_risk = models.JSONField(_("at-risk attributes"), default=list, blank=True)
    size_estimate = models.PositiveIntegerField(_("indicative size"), null=True, blank=True,
                                                help_text=_("Roughly how many people; leave empty if unknown."))
    risks = models.ManyToManyField("risks.Risk", blank=True, related_name="groups",
                                   verbose_name=_("salient risks that touch them"))
    members = models.ManyToManyField(Stakeholder, through="GroupMembership", related_name="affected_groups",
                                     blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AffectedGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("affected group")
        verbose_name_plural = _("affected groups")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="one_group_per_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        self.name = " ".join((self.name or "").split())
        if not self.name:
            errors["name"] = _("Give the group a name.")
        for field, known, message in (
            ("countries", lambda c: countries.get(c) is not None, _("Unknown country code: %(codes)s.")),
            ("languages", language_codes.is_known, _("Unknown language code: %(codes)s.")),
            ("at_risk", lambda c: c in AtRisk.values, _("Unknown at-risk attribute: %(codes)s.")),
        ):
            values = getattr(self, field)
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                errors[field] = _("Give a list of codes.")
                continue
            unknown = [v for v in values if not known(v)]
            if unknown:
                errors[field] = message % {"codes": ", ".join(unknown)}
        if errors:
            raise ValidationError(errors)

    @property
    def country_names(self) -> list[str]:
        return [countries.get(code).name if countries.get(code) else code for code in self.countries]

    @property
    def language_names(self) -> list[str]:
        return [language_codes.name(code) for code in self.languages]

    @property
    def at_risk_labels(self) -> list[str]:
        return [str(AtRisk(code).label) for code in self.at_risk if code in AtRisk.values]


class GroupMembership(models.Model):
    """A stakeholder belongs to an affected group; shown only as far as the person's safety level allows."""

    group = models.ForeignKey(AffectedGroup, on_delete=models.CASCADE, related_name="memberships")
    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="group_memberships")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                 related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "stakeholder"], name="one_membership_per_group"),
        ]

    def __str__(self) -> str:
        return f"stakeholder {self.stakeholder_id} in group {self.group_id}"


class RepresentationQuerySet(models.QuerySet):
    def current(self):
        """Mandates not ended: only these let a proxy speak for the group today."""
        return self.filter(ended_at__isnull=True)

    def review_overdue(self, today: datetime.date):
        stale = models.Q(reviewed_on__isnull=True) | models.Q(reviewed_on__lt=today - REVIEW_EVERY)
        return self.current().filter(stale)


class Representation(models.Model):
    """A credible proxy speaks for an affected group: why the group recognises it, the evidence, and when
    that was last reviewed."""

    proxy = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="representations",
                              verbose_name=_("proxy"))
    group = models.ForeignKey(AffectedGroup, on_delete=models.CASCADE, related_name="representations",
                              verbose_name=_("affected group"))
    legitimacy_basis = models.TextField(
        _("basis of legitimacy"),
        help_text=_("Why the group recognises this proxy as its representative."))
    evidence = models.TextField(_("evidence"), blank=True,
                                help_text=_("What shows it: a mandate, membership, a track record, references."))
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Ending keeps the row (what the proxy relayed while it spoke for the group stays explained); recording
    # the same proxy for the same group again reopens it.
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True, editable=False)

    objects = RepresentationQuerySet.as_manager()

    class Meta:
        verbose_name = _("representation")
        verbose_name_plural = _("representations")
        ordering = ["group__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proxy", "group"], name="one_representation_per_group"),
        ]

    def __str__(self) -> str:
        return f"stakeholder {self.proxy_id} speaks for group {self.group_id}"

    def clean(self) -> None:
        self.legitimacy_basis = self.legitimacy_basis.strip()
        if not self.legitimacy_basis:
            raise ValidationError({"legitimacy_basis": _("Say why the group recognises this proxy.")})

    @property
    def is_current(self) -> bool:
        return self.ended_at is None

    def review_overdue(self, today: datetime.date) -> bool:
        return self.reviewed_on is None or self.reviewed_on < today - REVIEW_EVERY
