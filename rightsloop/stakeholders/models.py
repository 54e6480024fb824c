"""The stakeholder register (S1): people and organisations we may engage."""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rightsloop.core import countries
from rightsloop.core.models import Organisation, OrganisationScopedQuerySet

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

    def search(self, text: str):
        text = text.strip()
        if not text:
            return self
        folded = name_key(text)
        query = Q(email=text.lower())
        if folded:
            query |= Q(name_key__contains=folded)
        return self.filter(query)


class Stakeholder(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="stakeholders")
    entity_type = models.CharField(_("person or organisation"), max_length=16, choices=EntityType.choices,
                                   default=EntityType.ORGANISATION)
    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(max_length=200, editable=False, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    represents = models.TextField(
        _("whom they represent"), blank=True,
        help_text=_("For a credible proxy: the affected people or groups it speaks for."),
    )
    legitimacy_basis = models.TextField(
        _("basis of legitimacy"), blank=True,
        help_text=_("For a credible proxy: why those people recognise it as their representative."),
    )
    country = models.CharField(_("country"), max_length=2, blank=True)
    # Derived from the shipped M49 table on save; never entered by hand.
    region_code = models.CharField(_("region"), max_length=3, blank=True, editable=False)
    subregion_code = models.CharField(_("sub-region"), max_length=3, blank=True, editable=False)
    global_south = models.BooleanField(_("Global South"), null=True, editable=False)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    messenger_handle = models.CharField(_("secure messenger handle"), max_length=100, blank=True)
    postal_address = models.TextField(_("postal address"), blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=3, blank=True,
        help_text=_("Feedback reports are written in this language when a translation exists."),
    )
    preferred_channel = models.CharField(_("preferred channel"), max_length=24, choices=Channel.choices,
                                         default=Channel.EMAIL)
    accessibility_needs = models.TextField(_("accessibility needs"), blank=True)
    safety_level = models.CharField(_("safety level"), max_length=16, choices=SafetyLevel.choices,
                                    default=SafetyLevel.NORMAL)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StakeholderQuerySet.as_manager()

    class Meta:
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")
        ordering = ["name_key", "id"]
        indexes = [
            models.Index(fields=["organisation", "name_key"], name="stakeholder_org_name"),
            models.Index(fields=["organisation", "email"], name="stakeholder_org_email"),
            models.Index(fields=["organisation", "country", "name_key"], name="stakeholder_org_country"),
            models.Index(fields=["organisation", "kind"], name="stakeholder_org_kind"),
            models.Index(fields=["organisation", "region_code"], name="stakeholder_org_region"),
            models.Index(fields=["organisation", "safety_level"], name="stakeholder_org_safety"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.normalise()
        self.name_key = name_key(self.name)
        self.derive_geography()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {
                "name", "email", "country", "name_key", "region_code", "subregion_code", "global_south",
            }
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors = {}
        if self.kind == Kind.PROXY:
            if not self.represents.strip():
                errors["represents"] = _("Say whom this proxy represents.")
            if not self.legitimacy_basis.strip():
                errors["legitimacy_basis"] = _("Say why this proxy is a legitimate representative.")
        if self.country and countries.get(self.country) is None:
            errors["country"] = _("Unknown country code.")
        if errors:
            raise ValidationError(errors)

    def normalise(self) -> None:
        self.name = " ".join(self.name.split())
        self.email = self.email.strip().lower()
        self.country = self.country.strip().upper()

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


class ConsentRecordQuerySet(models.QuerySet):
    def current(self):
        return self.filter(withdrawn_at__isnull=True)


class ConsentRecord(models.Model):
    """What a stakeholder agreed (or refused) to, when and how; withdrawal keeps the record."""

    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="consents")
    scope = models.CharField(_("scope"), max_length=24, choices=ConsentScope.choices)
    granted = models.BooleanField(_("granted"), default=True)
    method = models.CharField(_("how it was given"), max_length=16, choices=ConsentMethod.choices)
    given_on = models.DateField(_("date"))
    notes = models.CharField(_("notes"), max_length=300, blank=True)
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
