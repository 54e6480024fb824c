"""The typed set of values that describes a stakeholder, as handed from a form or the API to an action."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from rightsloop.core import languages, rights

from .vocabulary import AtRisk, Channel, EntityType, Kind, SafetyLevel, Technology, Trait

SCALAR_FIELDS = (
    "entity_type", "name", "kind", "country", "email", "phone",
    "messenger_handle", "postal_address", "preferred_language", "preferred_channel", "accessibility_needs",
    "safety_level", "notes",
)
# Fields whose values identify or locate a person; audit entries name them, never show them.
IDENTITY_FIELDS = frozenset({"name", "email", "phone", "messenger_handle", "postal_address", "notes"})

TRAIT_FIELDS = {
    "languages": Trait.LANGUAGE,
    "rights": Trait.RIGHT,
    "technologies": Trait.TECHNOLOGY,
    "at_risk": Trait.AT_RISK,
    "safe_channels": Trait.SAFE_CHANNEL,
}


@dataclass
class StakeholderProfile:
    name: str
    kind: str
    entity_type: str = EntityType.ORGANISATION
    country: str = ""
    email: str = ""
    phone: str = ""
    messenger_handle: str = ""
    postal_address: str = ""
    preferred_language: str = ""
    preferred_channel: str = Channel.EMAIL
    accessibility_needs: str = ""
    safety_level: str = SafetyLevel.NORMAL
    notes: str = ""
    languages: list[str] = field(default_factory=list)
    rights: list[str] = field(default_factory=list)
    technologies: list[str] = field(default_factory=list)
    at_risk: list[str] = field(default_factory=list)
    safe_channels: list[str] = field(default_factory=list)
    # A person's organisation in the register (id of an organisation-type stakeholder), or None.
    affiliation: int | None = None

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    @classmethod
    def of(cls, stakeholder) -> StakeholderProfile:
        """Read a stored stakeholder back into a profile (uses prefetched traits)."""
        values = {name: getattr(stakeholder, name) for name in SCALAR_FIELDS}
        for attribute, dimension in TRAIT_FIELDS.items():
            values[attribute] = stakeholder.traits_of(dimension)
        return cls(**values, affiliation=stakeholder.affiliation_id)

    def trait_rows(self) -> list[tuple[str, str]]:
        return [
            (dimension, code)
            for attribute, dimension in TRAIT_FIELDS.items()
            for code in sorted(set(getattr(self, attribute)))
        ]

    def validate(self) -> None:
        """Check the choice lists; the model's clean() checks the rules between fields."""
        errors: dict[str, str] = {}
        checks = {
            "entity_type": (self.entity_type in EntityType.values, _("Choose a person or an organisation.")),
            "kind": (self.kind in Kind.values, _("Choose one of: affected, proxy, expert, other.")),
            "safety_level": (self.safety_level in SafetyLevel.values,
                             _("Choose one of: normal, elevated, high.")),
            "preferred_channel": (self.preferred_channel in Channel.values, _("Unknown channel.")),
            "preferred_language": (not self.preferred_language or languages.is_known(self.preferred_language),
                                   _("Use a two-letter ISO 639-1 language code.")),
            "languages": (all(languages.is_known(c) for c in self.languages),
                          _("Use two-letter ISO 639-1 language codes.")),
            "rights": (all(rights.is_known(c) for c in self.rights), _("Unknown right code.")),
            "technologies": (all(c in Technology.values for c in self.technologies),
                             _("Unknown technology.")),
            "at_risk": (all(c in AtRisk.values for c in self.at_risk), _("Unknown at-risk attribute.")),
            "safe_channels": (all(c in Channel.values for c in self.safe_channels),
                              _("Unknown channel.")),
            "name": (bool(self.name.strip()), _("A name is required.")),
        }
        # Sealed fields are not database columns the model can check, so their limits live here.
        limits = {"name": 200, "email": 254, "phone": 40, "messenger_handle": 100, "postal_address": 2000,
                  "accessibility_needs": 5000, "notes": 10000}
        for name, limit in limits.items():
            if len(getattr(self, name)) > limit:
                checks[name] = (False, _("At most %(limit)s characters.") % {"limit": limit})
        if self.email:
            try:
                validate_email(self.email.strip())
            except ValidationError:
                checks["email"] = (False, _("Enter a valid email address."))
        for name, (ok, message) in checks.items():
            if not ok:
                errors[name] = message
        if errors:
            raise ValidationError(errors)
