"""The fixed lists a stakeholder profile is described with."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EntityType(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class Kind(models.TextChoices):
    AFFECTED = "affected", _("Affected stakeholder")
    PROXY = "proxy", _("Credible proxy")
    EXPERT = "expert", _("Expert stakeholder")
    OTHER = "other", _("Other (not a rights-holder)")


class SafetyLevel(models.TextChoices):
    NORMAL = "normal", _("Normal")
    ELEVATED = "elevated", _("Elevated")
    HIGH = "high", _("High")


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SECURE_MESSENGER = "secure_messenger", _("Secure messenger")
    PHONE = "phone", _("Phone")
    IN_PERSON = "in_person", _("In person")
    POST = "post", _("Post")
    VIA_PROXY = "via_proxy", _("Through a proxy")


class AtRisk(models.TextChoices):
    HUMAN_RIGHTS_DEFENDER = "human_rights_defender", _("Human rights defender")
    JOURNALIST = "journalist", _("Journalist")
    ETHNIC_MINORITY = "ethnic_minority", _("Ethnic or national minority")
    RELIGIOUS_MINORITY = "religious_minority", _("Religious minority")
    INDIGENOUS = "indigenous", _("Indigenous people")
    CHILD = "child", _("Child")
    WOMEN_AND_GIRLS = "women_and_girls", _("Women and girls")
    LGBTIQ = "lgbtiq", _("LGBTIQ+ people")
    MIGRANT_OR_REFUGEE = "migrant_or_refugee", _("Migrant, refugee or stateless person")
    DISABILITY = "disability", _("Person with disability")
    OLDER_PERSON = "older_person", _("Older person")
    POLITICAL_DISSIDENT = "political_dissident", _("Political opponent or dissident")
    LOW_INCOME = "low_income", _("Person living in poverty")
    LOW_DIGITAL_LITERACY = "low_digital_literacy", _("Low digital literacy")


class Technology(models.TextChoices):
    AI_ML = "ai_ml", _("Artificial intelligence and machine learning")
    GENERATIVE_AI = "generative_ai", _("Generative AI")
    FACIAL_RECOGNITION = "facial_recognition", _("Facial recognition and biometrics")
    CONTENT_MODERATION = "content_moderation", _("Content moderation")
    RECOMMENDER_SYSTEMS = "recommender_systems", _("Recommender systems and ranking")
    TARGETED_ADVERTISING = "targeted_advertising", _("Targeted advertising")
    MESSAGING = "messaging", _("Messaging and encryption")
    SOCIAL_MEDIA = "social_media", _("Social media platforms")
    SEARCH = "search", _("Search")
    CLOUD = "cloud", _("Cloud and data centres")
    TELECOMS = "telecoms", _("Telecommunications and network access")
    SURVEILLANCE = "surveillance", _("Surveillance and lawful interception")
    LOCATION_DATA = "location_data", _("Location data")
    DATA_BROKERAGE = "data_brokerage", _("Data brokerage")
    PLATFORM_WORK = "platform_work", _("Platform and gig work")
    FINTECH = "fintech", _("Financial technology")
    IOT = "iot", _("Connected devices")
    HARDWARE_SUPPLY_CHAIN = "hardware_supply_chain", _("Hardware and its supply chain")


class Trait(models.TextChoices):
    """The multi-valued parts of a profile, stored as rows so they can be filtered."""

    LANGUAGE = "language", _("Language")
    RIGHT = "right", _("Right of expertise")
    TECHNOLOGY = "technology", _("Technology of expertise")
    AT_RISK = "at_risk", _("At-risk attribute")
    SAFE_CHANNEL = "safe_channel", _("Safe channel")


class ConsentScope(models.TextChoices):
    CONTACT = "contact", _("Be contacted by us")
    STORE_IDENTITY = "store_identity", _("Keep their name and contact details")
    ATTRIBUTE_INPUTS = "attribute_inputs", _("Have their inputs attributed to them internally")
    QUOTE_PUBLICLY = "quote_publicly", _("Be quoted, without their name, in public reports")


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("Written")
    VERBAL = "verbal", _("Verbal, noted by staff")
    ONLINE = "online", _("Online form")
    VIA_PROXY = "via_proxy", _("Through their proxy")
