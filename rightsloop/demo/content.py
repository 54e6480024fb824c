"""What the demo organisation contains: a fictional technology company, its stakeholders and its engagements.

Kestrel Networks is invented, and so is every person and organisation below;
any resemblance to a real one is accidental. Dates are offsets in days from the
day the demo is loaded, so the dashboard always has something overdue, something
due this week and something coming up. Stakeholder text is data: it is written
in the language the person used.
"""

from __future__ import annotations

from dataclasses import dataclass

from rightsloop.accounts.roles import Function, Role
from rightsloop.engagements.vocabulary import EngagementType, InformationHandling, Outcome, Phase
from rightsloop.stakeholders.profiles import StakeholderProfile
from rightsloop.stakeholders.vocabulary import (
    AtRisk,
    Channel,
    ConsentMethod,
    ConsentScope,
    EntityType,
    Kind,
    SafetyLevel,
    Technology,
)

ORGANISATION_NAME = "Kestrel Networks"
ORGANISATION_SLUG = "kestrel-networks"
# Shared by every demo sign-in; the demo is for a laptop, never for a server others can reach.
DEMO_PASSWORD = "closing-the-loop-demo"  # noqa: S105
STAFF_EMAIL_DOMAIN = "kestrel-networks.example"


# --- Staff --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    username: str
    first_name: str
    last_name: str
    role: str
    function: str = ""


ADMIN = "jonas"
HR_LEAD = "amina"
PRODUCT_LEAD = "priya"
LEGAL_LEAD = "daniel"
# A second member of the human rights team, who handles grievances with Amina: an appealed case goes to her.
GRIEVANCE_OFFICER = "lucia"

MEMBERS: tuple[Member, ...] = (
    Member(ADMIN, "Jonas", "Berg", Role.ADMIN),
    Member(HR_LEAD, "Amina", "Wanjiru", Role.HR_LEAD),
    Member(GRIEVANCE_OFFICER, "Lucía", "Ferreira", Role.HR_LEAD),
    Member(PRODUCT_LEAD, "Priya", "Raman", Role.DECISION_MAKER, Function.PRODUCT),
    Member(LEGAL_LEAD, "Daniel", "Okoro", Role.DECISION_MAKER, Function.LEGAL),
    Member("helena", "Helena", "Sousa", Role.BOARD),
    Member("marcus", "Marcus", "Lindqvist", Role.AUDITOR),
)

# Who decides an input routed to each function; anything not listed goes to the human rights team.
DECIDER_BY_FUNCTION = {Function.PRODUCT: PRODUCT_LEAD, Function.LEGAL: LEGAL_LEAD}


# --- Stakeholders -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Consent:
    scope: str
    granted: bool
    method: str
    days_ago: int = 120
    notes: str = ""


@dataclass(frozen=True)
class Person:
    key: str
    profile: StakeholderProfile
    consents: tuple[Consent, ...] = ()


def _contact(method: str = ConsentMethod.WRITTEN, days_ago: int = 120) -> Consent:
    return Consent(ConsentScope.CONTACT, True, method, days_ago)


def _attribute(granted: bool, method: str = ConsentMethod.WRITTEN, days_ago: int = 120, notes: str = "") -> Consent:
    return Consent(ConsentScope.ATTRIBUTE_INPUTS, granted, method, days_ago, notes)


def _through_proxy_only(proxy_name: str) -> tuple[Consent, ...]:
    note = f"Takes part only through {proxy_name}; no direct contact of any kind."
    return (Consent(ConsentScope.CONTACT, False, ConsentMethod.VIA_PROXY, 150, note),)


PERSON = EntityType.PERSON
ORGANISATION = EntityType.ORGANISATION

STAKEHOLDERS: tuple[Person, ...] = (
    # Affected stakeholders: the people whose rights our products touch.
    Person("wanjiku", StakeholderProfile(
        name="Wanjiku Kamau", kind=Kind.AFFECTED, entity_type=PERSON, country="KE",
        phone="+254 700 000 101", preferred_language="sw", preferred_channel=Channel.PHONE,
        languages=["sw", "en"], at_risk=[AtRisk.LOW_INCOME, AtRisk.WOMEN_AND_GIRLS],
        notes="Sells vegetables at Gikomba market; takes most of her sales through KestrelPay.",
    ), (_contact(ConsentMethod.VERBAL), _attribute(True, ConsentMethod.VERBAL))),
    Person("otieno", StakeholderProfile(
        name="Otieno Ochieng", kind=Kind.AFFECTED, entity_type=PERSON, country="KE",
        email="otieno.ochieng@example.org", phone="+254 700 000 102", languages=["en", "sw"],
        at_risk=[AtRisk.DISABILITY],
        accessibility_needs="Blind; uses TalkBack on Android. Send plain text, never PDFs or pictures of text.",
    ), (_contact(ConsentMethod.ONLINE), _attribute(True, ConsentMethod.ONLINE),
        Consent(ConsentScope.QUOTE_PUBLICLY, True, ConsentMethod.ONLINE))),
    Person("boda", StakeholderProfile(
        name="Kawempe Boda Boda Savings Group", kind=Kind.AFFECTED, country="UG",
        phone="+256 700 000 201", preferred_channel=Channel.PHONE, languages=["lg", "sw", "en"],
        at_risk=[AtRisk.LOW_INCOME],
        notes="Motorcycle-taxi riders who save and share job alerts through Kestrel Chat groups.",
    ), (_contact(ConsentMethod.VERBAL),)),
    Person("tanvir", StakeholderProfile(
        name="Tanvir Hasan", kind=Kind.AFFECTED, entity_type=PERSON, country="BD",
        email="tanvir.hasan@example.org", phone="+880 1700 000301", languages=["bn", "en"],
        notes="University student in Dhaka; long-time Kestrel Chat user.",
    ), (_contact(ConsentMethod.ONLINE), _attribute(True, ConsentMethod.ONLINE))),
    Person("savitri", StakeholderProfile(
        name="Savitri Devi", kind=Kind.AFFECTED, entity_type=PERSON, country="IN",
        phone="+91 90000 00401", preferred_language="hi", preferred_channel=Channel.PHONE, languages=["hi"],
        at_risk=[AtRisk.OLDER_PERSON, AtRisk.LOW_DIGITAL_LITERACY, AtRisk.WOMEN_AND_GIRLS],
        accessibility_needs="Reads Hindi slowly; prefers a call or a visit to written messages.",
    ), (_contact(ConsentMethod.VERBAL),
        _attribute(False, ConsentMethod.VERBAL, notes="Does not want to be named, even internally."))),
    Person("alejandra", StakeholderProfile(
        name="Alejandra Torres Ruiz", kind=Kind.AFFECTED, entity_type=PERSON, country="MX",
        email="alejandra.torres@example.org", phone="+52 55 0000 0501", preferred_language="es",
        languages=["es"], at_risk=[AtRisk.WOMEN_AND_GIRLS, AtRisk.LOW_INCOME],
        notes="Delivery rider in Mexico City; repays a KestrelPay Crédito loan from her platform earnings.",
    ), (_contact(ConsentMethod.ONLINE, 160), _attribute(True, ConsentMethod.ONLINE, 160))),
    Person("jhon", StakeholderProfile(
        name="Jhon Fredy Mosquera", kind=Kind.AFFECTED, entity_type=PERSON, country="CO",
        phone="+57 300 000 0601", preferred_language="es", preferred_channel=Channel.PHONE, languages=["es"],
        at_risk=[AtRisk.ETHNIC_MINORITY, AtRisk.LOW_INCOME],
        notes="Fisherman and shop owner in Buenaventura.",
    ), (_contact(ConsentMethod.VERBAL, 160), _attribute(True, ConsentMethod.VERBAL, 160))),
    Person("raimunda", StakeholderProfile(
        name="Raimunda Baniwa", kind=Kind.AFFECTED, entity_type=PERSON, country="BR",
        messenger_handle="@raimunda.rionegro", preferred_channel=Channel.SECURE_MESSENGER,
        languages=["pt"], at_risk=[AtRisk.INDIGENOUS, AtRisk.WOMEN_AND_GIRLS, AtRisk.HUMAN_RIGHTS_DEFENDER],
        safety_level=SafetyLevel.ELEVATED, safe_channels=[Channel.SECURE_MESSENGER, Channel.IN_PERSON],
        notes="Community leader on the upper Rio Negro; has received threats over land claims. "
              "Also speaks Nheengatu.",
    ), (_contact(ConsentMethod.WRITTEN, 160), _attribute(False, ConsentMethod.WRITTEN, 160))),
    Person("maricel", StakeholderProfile(
        name="Maricel Dizon", kind=Kind.AFFECTED, entity_type=PERSON, country="PH",
        messenger_handle="@mdizon.news", preferred_channel=Channel.SECURE_MESSENGER, languages=["tl", "en"],
        at_risk=[AtRisk.JOURNALIST], safety_level=SafetyLevel.ELEVATED,
        safe_channels=[Channel.SECURE_MESSENGER],
        notes="Investigative journalist; her sources use Kestrel Chat.",
    ), (_contact(ConsentMethod.ONLINE), _attribute(False, ConsentMethod.WRITTEN))),
    Person("aicha", StakeholderProfile(
        name="Aïcha Diallo", kind=Kind.AFFECTED, entity_type=PERSON, country="DE",
        email="aicha.diallo@example.org", phone="+49 151 0000 0801", preferred_language="fr",
        languages=["fr", "de", "wo"], at_risk=[AtRisk.MIGRANT_OR_REFUGEE, AtRisk.WOMEN_AND_GIRLS],
        notes="Care worker in Cologne; sends money to her family in Senegal every month with KestrelPay. "
              "Holds the affected users' seat on the advisory council.",
    ), (_contact(ConsentMethod.ONLINE), _attribute(True, ConsentMethod.ONLINE))),
    # At high risk: recorded under an alias, no contact details, heard only through their proxy.
    Person("nur", StakeholderProfile(
        name="Camp resident, Ukhia (alias Nur)", kind=Kind.AFFECTED, entity_type=PERSON, country="BD",
        preferred_channel=Channel.VIA_PROXY, safety_level=SafetyLevel.HIGH,
        safe_channels=[Channel.VIA_PROXY, Channel.IN_PERSON],
        at_risk=[AtRisk.MIGRANT_OR_REFUGEE, AtRisk.ETHNIC_MINORITY, AtRisk.RELIGIOUS_MINORITY,
                 AtRisk.WOMEN_AND_GIRLS],
        notes="Speaks Rohingya (no two-letter code); the proxy interprets.",
    ), _through_proxy_only("Ukhia Women's Safety Network")),
    Person("thiha", StakeholderProfile(
        name="Activist, Sagaing Region (alias Thiha)", kind=Kind.AFFECTED, entity_type=PERSON, country="MM",
        preferred_channel=Channel.VIA_PROXY, languages=["my"], safety_level=SafetyLevel.HIGH,
        safe_channels=[Channel.VIA_PROXY],
        at_risk=[AtRisk.HUMAN_RIGHTS_DEFENDER, AtRisk.POLITICAL_DISSIDENT],
    ), _through_proxy_only("Lanthit Digital Safety Collective")),
    Person("kato", StakeholderProfile(
        name="Community member, Kampala (alias K.)", kind=Kind.AFFECTED, entity_type=PERSON, country="UG",
        preferred_channel=Channel.VIA_PROXY, languages=["lg", "en"], safety_level=SafetyLevel.HIGH,
        safe_channels=[Channel.VIA_PROXY], at_risk=[AtRisk.LGBTIQ],
    ), _through_proxy_only("Nsamba Legal Aid Collective")),

    # Credible proxies: whom they speak for, and why those people recognise them.
    Person("ukhia", StakeholderProfile(
        name="Ukhia Women's Safety Network", kind=Kind.PROXY, country="BD",
        messenger_handle="@ukhia.wsn", preferred_channel=Channel.SECURE_MESSENGER, languages=["bn", "en"],
        safety_level=SafetyLevel.ELEVATED, safe_channels=[Channel.SECURE_MESSENGER, Channel.IN_PERSON],
    ), (_contact(), _attribute(False, notes="Asks that its volunteers' inputs stay anonymised."))),
    Person("lanthit", StakeholderProfile(
        name="Lanthit Digital Safety Collective", kind=Kind.PROXY, country="TH",
        messenger_handle="@lanthit.help", preferred_channel=Channel.SECURE_MESSENGER,
        languages=["my", "en", "th"], technologies=[Technology.MESSAGING, Technology.SURVEILLANCE],
        rights=["privacy", "freedom_of_expression", "security_of_person"],
        safety_level=SafetyLevel.ELEVATED, safe_channels=[Channel.SECURE_MESSENGER],
    ), (_contact(), _attribute(False))),
    Person("nsamba", StakeholderProfile(
        name="Nsamba Legal Aid Collective", kind=Kind.PROXY, country="UG",
        messenger_handle="@nsamba.legal", preferred_channel=Channel.SECURE_MESSENGER,
        languages=["lg", "en", "sw"], safety_level=SafetyLevel.ELEVATED,
        safe_channels=[Channel.SECURE_MESSENGER, Channel.IN_PERSON],
    ), (_contact(), _attribute(False))),
    Person("gikomba", StakeholderProfile(
        name="Gikomba Traders' Welfare Association", kind=Kind.PROXY, country="KE",
        email="secretary@gikomba-traders.example", phone="+254 700 000 901", languages=["sw", "en"],
        preferred_language="sw",
    ), (_contact(), _attribute(True))),
    Person("arck", StakeholderProfile(
        name="Association des réfugiés congolais de Kampala", kind=Kind.PROXY, country="UG",
        email="contact@arck.example", phone="+256 700 000 902", preferred_language="fr",
        languages=["fr", "ln", "sw"],
    ), (_contact(), _attribute(True))),
    Person("urcp", StakeholderProfile(
        name="Unión de Repartidores y Conductores de Plataformas", kind=Kind.PROXY, country="MX",
        email="contacto@urcp.example", phone="+52 33 0000 0903", preferred_language="es", languages=["es"],
    ), (_contact(days_ago=160), _attribute(True, days_ago=160))),
    Person("drishti", StakeholderProfile(
        name="Drishti Access Collective", kind=Kind.PROXY, country="IN",
        email="office@drishti-access.example", languages=["en", "hi", "mr", "kn"],
        accessibility_needs="Send documents as accessible HTML or plain text.",
        technologies=[Technology.FINTECH, Technology.MESSAGING],
    ), (_contact(), _attribute(True))),
    Person("red_pacifico", StakeholderProfile(
        name="Red de Mujeres Afrocolombianas del Pacífico", kind=Kind.PROXY, country="CO",
        phone="+57 300 000 0904", preferred_language="es", preferred_channel=Channel.PHONE, languages=["es"],
    ), (_contact(ConsentMethod.VERBAL, 160), _attribute(True, ConsentMethod.VERBAL, 160))),

    # Expert stakeholders: knowledge of the impacts.
    Person("mtandao", StakeholderProfile(
        name="Mtandao Rights Lab", kind=Kind.EXPERT, country="KE",
        email="hello@mtandao-lab.example", messenger_handle="@mtandao.lab", languages=["en", "sw"],
        rights=["privacy", "freedom_of_expression"],
        technologies=[Technology.SURVEILLANCE, Technology.TELECOMS, Technology.FINTECH],
    ), (_contact(), _attribute(True), Consent(ConsentScope.QUOTE_PUBLICLY, True, ConsentMethod.WRITTEN))),
    Person("selam", StakeholderProfile(
        name="Dr Selam Bekele", kind=Kind.EXPERT, entity_type=PERSON, country="ET",
        email="selam.bekele@example.org", languages=["am", "ti", "om", "en"],
        rights=["freedom_of_expression", "non_discrimination", "freedom_from_propaganda_for_war"],
        technologies=[Technology.CONTENT_MODERATION, Technology.AI_ML],
        notes="Researches moderation of hate speech in low-resource languages.",
    ), (_contact(ConsentMethod.ONLINE), _attribute(True, ConsentMethod.ONLINE))),
    Person("katrin", StakeholderProfile(
        name="Katrin Vogel", kind=Kind.EXPERT, entity_type=PERSON, country="DE",
        email="k.vogel@example.org", postal_address="Kanzlei Vogel, Postfach 10 00 00, 10115 Berlin",
        languages=["de", "en"], rights=["privacy", "fair_trial"],
        technologies=[Technology.SURVEILLANCE, Technology.CLOUD, Technology.TELECOMS],
        notes="Data protection lawyer; advises NGOs on cross-border data requests.",
    ), (_contact(), _attribute(True))),
    Person("cifr", StakeholderProfile(
        name="Centre for Inclusive Finance Research", kind=Kind.EXPERT, country="IN",
        email="contact@cifr.example", languages=["en", "hi", "kn"],
        rights=["non_discrimination", "adequate_standard_of_living"],
        technologies=[Technology.FINTECH, Technology.AI_ML],
    ), (_contact(), _attribute(True))),
    Person("laja", StakeholderProfile(
        name="Laboratório de Justiça Algorítmica", kind=Kind.EXPERT, country="BR",
        email="contato@laja.example", languages=["pt", "es", "en"], rights=["non_discrimination", "privacy"],
        technologies=[Technology.AI_ML, Technology.FACIAL_RECOGNITION],
        notes="Local partner of the Latin America regional assessment (Brazil).",
    ), (_contact(days_ago=160), _attribute(True, days_ago=160))),
    Person("datos", StakeholderProfile(
        name="Fundación Datos y Derechos", kind=Kind.EXPERT, country="CO",
        email="equipo@datosyderechos.example", preferred_language="es", languages=["es", "en"],
        rights=["privacy", "non_discrimination"], technologies=[Technology.FINTECH, Technology.AI_ML],
        notes="Local partner of the Latin America regional assessment (Colombia and Mexico).",
    ), (_contact(days_ago=160), _attribute(True, days_ago=160))),
    Person("red_segura", StakeholderProfile(
        name="Colectivo Red Segura", kind=Kind.EXPERT, country="MX",
        messenger_handle="@redsegura.mx", preferred_language="es", preferred_channel=Channel.SECURE_MESSENGER,
        languages=["es"], rights=["freedom_of_expression", "privacy", "security_of_person"],
        technologies=[Technology.SURVEILLANCE, Technology.MESSAGING, Technology.FACIAL_RECOGNITION],
        safety_level=SafetyLevel.ELEVATED, safe_channels=[Channel.SECURE_MESSENGER, Channel.IN_PERSON],
        notes="Digital-security trainers for journalists in Guerrero and Veracruz.",
    ), (_contact(),)),
    Person("anjali", StakeholderProfile(
        name="Anjali Rao", kind=Kind.EXPERT, entity_type=PERSON, country="IN",
        email="anjali.rao@example.org", phone="+91 90000 01001", languages=["en", "kn", "hi"],
        at_risk=[AtRisk.DISABILITY], rights=["non_discrimination", "freedom_of_expression"],
        technologies=[Technology.AI_ML, Technology.MESSAGING],
        accessibility_needs="Screen reader user: plain text or accessible HTML, no scanned documents.",
        notes="Accessibility researcher; member of the advisory council.",
    ), (_contact(), _attribute(True))),
    Person("ligtas", StakeholderProfile(
        name="Ligtas Kabataan Online Foundation", kind=Kind.EXPERT, country="PH",
        email="info@ligtaskabataan.example", languages=["tl", "en"], rights=["child_rights", "privacy"],
        technologies=[Technology.SOCIAL_MEDIA, Technology.FACIAL_RECOGNITION],
    ), (_contact(), _attribute(True))),
    Person("observatoire", StakeholderProfile(
        name="Observatoire des libertés numériques en Afrique centrale", kind=Kind.EXPERT, country="CM",
        email="veille@oblinac.example", preferred_language="fr", languages=["fr", "en"],
        rights=["privacy", "freedom_of_expression"],
        technologies=[Technology.SURVEILLANCE, Technology.TELECOMS],
    ), (_contact(),)),

    # Others: they influence the company but are not rights-holders.
    Person("nordlicht", StakeholderProfile(
        name="Nordlicht Responsible Investment AG", kind=Kind.OTHER, country="DE",
        email="stewardship@nordlicht.example", postal_address="Theodor-Heuss-Ring 1, 50668 Köln",
        languages=["de", "en"], notes="Shareholder; sits on the advisory council as an observer.",
    ), (_contact(), _attribute(True))),
    Person("safiri", StakeholderProfile(
        name="Safiri Mobile Ltd", kind=Kind.OTHER, country="KE",
        email="partnerships@safiri.example", languages=["en", "sw"],
        notes="Mobile network operator that carries KestrelPay's USSD menus in Kenya.",
    ), (_contact(),)),
)


# --- Affected groups ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """An affected group, the credible proxy that speaks for it and why, its members and the risks touching it."""

    name: str
    description: str
    countries: tuple[str, ...]
    languages: tuple[str, ...]
    at_risk: tuple[str, ...]
    size_estimate: int | None
    proxy: str  # key of the Person who speaks for the group
    legitimacy_basis: str
    evidence: str
    reviewed_days_ago: int | None  # None: never reviewed (shows as overdue)
    members: tuple[str, ...] = ()
    risks: tuple[str, ...] = ()  # titles of salient risks (demo/risks.py)


# The group the demo shows a proxy speaking for: defenders at high risk, heard only through their proxy. Its
# member "thiha" is at high safety, so only grant holders see that membership. Other demo code (relayed inputs)
# finds the group and its proxy through these names.
DEFENDERS_GROUP = "Human rights defenders and journalists inside Myanmar"
DEFENDERS_PROXY = "lanthit"

GROUPS: tuple[Group, ...] = (
    Group(
        DEFENDERS_GROUP,
        "Activists, journalists and striking civil servants inside Myanmar who cannot contact foreign companies "
        "safely. Many use Kestrel Chat to organise and to reach families abroad.",
        ("MM",), ("my", "en"), (AtRisk.HUMAN_RIGHTS_DEFENDER, AtRisk.POLITICAL_DISSIDENT, AtRisk.JOURNALIST),
        1500, DEFENDERS_PROXY,
        "Runs the digital-security helpline that more than sixty Myanmar civil society groups use; its steering "
        "group is drawn from those groups.",
        "Letters of support from eleven of those groups (2025); helpline reports shared with us quarterly.",
        60, members=("thiha",),
        risks=("Government demands for user data and interception in high-risk markets",),
    ),
    Group(
        "Rohingya women and girls in the Ukhia camps",
        "Rohingya women and girls living in two camps near Ukhia, Cox's Bazar district.",
        ("BD",), ("bn",), (AtRisk.MIGRANT_OR_REFUGEE, AtRisk.ETHNIC_MINORITY, AtRisk.WOMEN_AND_GIRLS),
        12000, "ukhia",
        "Started by camp residents in 2018; each camp block's women's group chooses its volunteer, and the "
        "network reports back to those groups every month.",
        "Minutes of the block women's groups naming their volunteers.",
        200, members=("nur",),
        risks=("Location records of Rohingya camp residents reach the authorities",),
    ),
    Group(
        "LGBTIQ+ people in Kampala and Wakiso",
        "LGBTIQ+ people in Kampala and Wakiso who use Kestrel Chat and KestrelPay.",
        ("UG",), ("lg", "en", "sw"), (AtRisk.LGBTIQ,), None, "nsamba",
        "Community-led legal aid group whose board is elected by its members; it has represented more than 300 "
        "community members since 2019.",
        "Board election record; references from two regional human rights organisations.",
        # Reviewed more than a year ago: the group page flags the review as overdue.
        420, members=("kato",),
        risks=("Mass-forwarded messages out LGBTIQ+ people in Uganda",),
    ),
    Group(
        "Gikomba market traders",
        "About 4,000 stall holders and hawkers at Gikomba market who take payments through KestrelPay.",
        ("KE",), ("sw", "en"), (AtRisk.LOW_INCOME,), 4000, "gikomba",
        "Registered self-help association; its committee is elected every two years by dues-paying members.",
        "Registration certificate; the last election's minutes.",
        90, members=("wanjiku",),
        risks=("Impersonation fraud drains traders' wallets; recovery takes weeks",),
    ),
    Group(
        "Congolese refugee families in Kampala",
        "Congolese refugee families in Kampala who receive cash assistance and remittances through KestrelPay.",
        ("UG",), ("fr", "ln", "sw"), (AtRisk.MIGRANT_OR_REFUGEE,), 900, "arck",
        "Refugee-led; its leaders are elected by a general assembly and the refugee desk recognises it as a "
        "community structure.",
        "", None,
        risks=("Remittance fees shown only after the PIN is entered",),
    ),
    Group(
        "Platform delivery riders and drivers in Mexico",
        "Repartidores y conductores de plataformas en Ciudad de México y Guadalajara que cobran con billeteras "
        "KestrelPay.",
        ("MX",), ("es",), (AtRisk.LOW_INCOME,), 2300, "urcp",
        "Sindicato independiente con unas 2.300 personas afiliadas; su directiva se elige en asamblea.",
        "Acta de la última asamblea.",
        160, members=("alejandra",),
        risks=("Credit scoring penalises neighbourhood, illness and marriage",),
    ),
    Group(
        "Blind and low-vision phone users in Maharashtra and Karnataka",
        "Blind and low-vision people in Maharashtra and Karnataka who pay and message on their phones.",
        ("IN",), ("hi", "mr", "kn", "en"), (AtRisk.DISABILITY,), 1800, "drishti",
        "Membership organisation run by blind people; about 1,800 members elect its office-holders every year.",
        "Annual report listing the elected office-holders.",
        30,
        risks=("Blind users cannot complete payments before the PIN screen closes",),
    ),
    Group(
        "Afro-Colombian women with small businesses on the Pacific coast",
        "Mujeres afrocolombianas con pequeños negocios en Buenaventura y Tumaco.",
        ("CO",), ("es",), (AtRisk.ETHNIC_MINORITY, AtRisk.WOMEN_AND_GIRLS), None, "red_pacifico",
        "Red de catorce organizaciones de base; las asociadas eligen a su vocera y los consejos comunitarios la "
        "reconocen.",
        "", 160,
        risks=("Credit scoring penalises neighbourhood, illness and marriage",),
    ),
)


# --- Engagements --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    outcome: str
    rationale: str = ""
    next_step: str = ""
    next_step_in_days: int | None = None


@dataclass(frozen=True)
class Said:
    """One input: who said it (a participant key, or None when nobody was noted), and what became of it."""

    speaker: str | None
    text: str
    function: str = ""
    language: str = "en"
    tags: tuple[str, ...] = ()
    decision: Decision | None = None
    # Recorded unrouted during the session, then routed to `function` by the human rights team.
    triaged_later: bool = False


@dataclass(frozen=True)
class Told:
    """A participant who has been told what became of their input, and how."""

    participant: str
    channel: str
    note: str = ""


@dataclass(frozen=True)
class Briefing:
    title: str
    link: str
    shared_days_before_start: int
    description: str = ""


@dataclass(frozen=True)
class Meeting:
    key: str
    title: str
    type: str
    phases: tuple[str, ...]
    starts_in: int
    ends_in: int
    feedback_due_in: int | None = None
    purpose: str = ""
    location: str = ""
    information_handling: str = InformationHandling.CHATHAM_HOUSE
    handling_notes: str = ""
    attending_functions: tuple[str, ...] = ()
    # (stakeholder key, proxy key or None)
    participants: tuple[tuple[str, str | None], ...] = ()
    inputs: tuple[Said, ...] = ()
    told: tuple[Told, ...] = ()
    briefings: tuple[Briefing, ...] = ()


ADOPTED = Outcome.ADOPTED
PARTLY = Outcome.PARTLY_ADOPTED
NOT_ADOPTED = Outcome.NOT_ADOPTED
CONSIDERING = Outcome.UNDER_CONSIDERATION

ENGAGEMENTS: tuple[Meeting, ...] = (
    # A loop that closed: every input decided, every speaker told.
    Meeting(
        key="fraud_workshop",
        title="KestrelPay fraud and account recovery: traders' workshop, Nairobi",
        type=EngagementType.WORKSHOP, phases=(Phase.IDENTIFY, Phase.ACT),
        starts_in=-45, ends_in=-45,
        purpose="Hear from market traders how fraud and slow account recovery hit their income, and test the "
                "fixes the product team had in mind.",
        location="Gikomba market community hall, Nairobi",
        information_handling=InformationHandling.ATTRIBUTABLE,
        handling_notes="Swahili interpretation throughout. Names recorded only with each person's consent.",
        attending_functions=(Function.PRODUCT, Function.ENGINEERING),
        participants=(("wanjiku", None), ("gikomba", None), ("otieno", None), ("mtandao", None), ("safiri", None)),
        inputs=(
            Said("wanjiku", "Watu wanapigiwa simu na matapeli wanaojifanya wafanyakazi wa KestrelPay na "
                            "kuwaomba PIN. Tungependa onyo kwa Kiswahili litokee kabla ya kutuma pesa nyingi "
                            "kwa namba mpya.",
                 Function.PRODUCT, "sw", ("fraud", "local languages"),
                 Decision(ADOPTED, "A warning in Swahili and English now appears before any transfer above "
                                   "KES 5,000 to a number the customer has never paid, and it says plainly that "
                                   "our staff never ask for a PIN.")),
            Said("gikomba", "When a phone is stolen, getting the wallet back takes up to three weeks because the "
                            "owner has to go to a service centre in town with their ID. Traders lose their "
                            "float for all that time. Let authorised agents handle recovery.",
                 Function.PRODUCT, tags=("account recovery",),
                 decision=Decision(PARTLY, "Agents in 40 market towns can now freeze a wallet and start recovery "
                                           "within the hour, and the float is released once identity is "
                                           "confirmed. The final identity check stays at service centres: "
                                           "agent-run checks were the main route for SIM-swap fraud in last "
                                           "year's case review, and moving them back would expose the same "
                                           "traders to theft.")),
            Said("otieno", "The one-time PIN screen closes after 30 seconds, which is not enough time with "
                           "TalkBack, and the Confirm button is read out as 'button' with no label.",
                 Function.ENGINEERING, tags=("accessibility",),
                 decision=Decision(ADOPTED, "The PIN screen now stays open for two minutes when a screen reader "
                                            "is on, and every payment button has a spoken label. Two blind "
                                            "users in Kisumu tested the build before release.")),
            Said("mtandao", "Customers whose fraud claim is rejected are not told why and cannot appeal. The "
                            "process for reversing fraudulent transactions should be written down and published.",
                 Function.LEGAL, tags=("fraud", "remedy", "transparency"),
                 decision=Decision(PARTLY, "Every rejected claim now gets the reason by SMS, and a second "
                                           "review by a different team on request; the claims process is "
                                           "published on our website in English and Swahili. We did not set "
                                           "up our own ombudsperson: the central bank's complaints desk is "
                                           "already independent of us, and every rejection now explains how "
                                           "to reach it.")),
            Said("wanjiku", "Ada ya kutoa pesa chini ya shilingi 100 inakula sehemu kubwa ya faida ya "
                            "wafanyabiashara wadogo. Iondoeni.",
                 Function.COMMERCIAL, "sw", ("fees",),
                 Decision(NOT_ADOPTED, "We are keeping the fee on very small withdrawals. It pays the agent's "
                                       "commission, and when we tried a zero fee in Machakos a third of rural "
                                       "agents stopped paying out small amounts at all, which left the same "
                                       "traders without cash. We have frozen the fee until the end of 2026.")),
            Said(None, "Someone from the floor asked that agents learn to recognise a customer who is being "
                       "coached over the phone by a fraudster while withdrawing.",
                 Function.COMMERCIAL, tags=("fraud", "agents"),
                 decision=Decision(ADOPTED, "Added to the agent training that every new agent takes, with a "
                                            "script for pausing the transaction and calling our fraud line.")),
        ),
        told=(
            Told("wanjiku", Channel.IN_PERSON, "Read out in Swahili at the follow-up meeting at the market."),
            Told("gikomba", Channel.IN_PERSON, "Presented to the association's committee meeting."),
            Told("otieno", Channel.PHONE, "Read over the phone; a plain-text copy followed by SMS."),
            Told("mtandao", Channel.SECURE_MESSENGER),
        ),
    ),
    # Overdue: the promised date has passed and three inputs still have no decision.
    Meeting(
        key="location_interviews",
        title="Location data retention: user interviews in Bangladesh and India",
        type=EngagementType.INTERVIEW, phases=(Phase.IDENTIFY,),
        starts_in=-80, ends_in=-66, feedback_due_in=-6,
        purpose="Understand what users expect us to keep about where they are, and who they fear could ask "
                "for it.",
        location="Dhaka, Kolkata and Cox's Bazar; some interviews by phone",
        information_handling=InformationHandling.CONFIDENTIAL,
        handling_notes="Camp residents are interviewed only by the proxy's own volunteers; nothing that could "
                       "identify a camp block is written down.",
        attending_functions=(Function.PRODUCT, Function.LEGAL),
        participants=(("tanvir", None), ("savitri", None), ("nur", "ukhia"), ("ukhia", None), ("katrin", None),
                      ("drishti", None)),
        inputs=(
            Said("tanvir", "Kestrel Chat kept my precise location history for 'nearby friends' a year after I "
                           "switched the feature off. Delete it, and show how long you keep location data.",
                 Function.PRODUCT, tags=("location data", "retention"),
                 decision=Decision(ADOPTED, "Location history is now deleted 30 days after 'nearby friends' is "
                                            "switched off, including the history of people who switched it off "
                                            "before the change. The settings screen shows the period in Bangla "
                                            "and English.")),
            Said("savitri", "मुझे पता ही नहीं था कि ऐप मेरी लोकेशन रिकॉर्ड करता है। अनुमति वाला संदेश हिंदी में और "
                            "बड़े अक्षरों में होना चाहिए।",
                 Function.PRODUCT, "hi", ("location data", "local languages", "consent")),
            Said("nur", "Women in the camps fear that location records could reach the authorities and be used "
                        "to follow people who move between camps or leave them. They ask that no location be "
                        "stored for accounts used in the camp area.",
                 Function.LEGAL, tags=("location data", "government requests", "refugees")),
            Said("ukhia", "Our volunteers need a way to warn the company about a request for users' data from "
                          "the authorities without putting themselves at risk.",
                 Function.LEGAL, tags=("government requests",),
                 decision=Decision(CONSIDERING, next_step="Legal is designing, with the network, a way to pass "
                                                          "on such warnings through the network's own channel; "
                                                          "the proposal goes to the network for comment first",
                                   next_step_in_days=21)),
            Said("katrin", "Cell-tower location logs are kept for 24 months, longer than the licence conditions "
                           "in either country require. Keep only what the law requires and publish the "
                           "retention schedule.",
                 Function.LEGAL, tags=("location data", "retention", "transparency"),
                 decision=Decision(PARTLY, "Cell-tower logs are now kept for the 12 months the licences require, "
                                           "and the retention schedule will be in the next transparency report. "
                                           "We cannot publish the text of one licence condition: the licence "
                                           "itself forbids it, so the report names the condition and its effect "
                                           "instead.")),
            Said("drishti", "Location permission prompts in Hindi are read by screen readers as a string of "
                            "English variable names.",
                 Function.ENGINEERING, tags=("accessibility", "local languages")),
        ),
        told=(Told("tanvir", Channel.PHONE),),
    ),
    # Due this week: most decided, some participants already told, one input still waiting.
    Meeting(
        key="moderation_workshop",
        title="Content moderation in local languages: East African civil society workshop",
        type=EngagementType.WORKSHOP, phases=(Phase.IDENTIFY, Phase.ACT),
        starts_in=-58, ends_in=-57, feedback_due_in=3,
        purpose="Find out where moderation of Kestrel Chat channels fails people who do not write in English, "
                "and what would make reporting safe.",
        location="Kampala",
        attending_functions=(Function.PRODUCT, Function.POLICY),
        participants=(("selam", None), ("mtandao", None), ("kato", "nsamba"), ("nsamba", None), ("boda", None),
                      ("arck", None)),
        inputs=(
            Said("selam", "Reports in Amharic, Tigrinya and Afaan Oromo wait for days in an English-language "
                          "queue. During the conflict, calls to violence stayed up for more than a week. Hire "
                          "reviewers for these languages and publish review times per language.",
                 Function.POLICY, tags=("content moderation", "local languages", "transparency"),
                 decision=Decision(PARTLY, "We have contracted Amharic and Tigrinya reviewers with a 24-hour "
                                           "target, and will publish median review times per language twice a "
                                           "year. Afaan Oromo reports are still reviewed through translation: we "
                                           "have not yet found reviewers we can protect from pressure, and will "
                                           "report progress in the next update.")),
            Said("kato", "Mass-forwarded messages in Luganda name people and say they are gay. To report one you "
                         "have to type the reason in English.",
                 Function.PRODUCT, tags=("content moderation", "local languages", "outing"),
                 decision=Decision(ADOPTED, "Reporting in Kestrel Chat now works in Luganda and Swahili, with a "
                                            "one-tap reason 'this exposes someone's identity or puts them in "
                                            "danger', which goes to a priority queue.")),
            Said("boda", "Remove the limit of five forwards per message. We use forwarding to pass job alerts "
                         "around many groups.",
                 Function.PRODUCT, tags=("forwarding limits",),
                 decision=Decision(NOT_ADOPTED, "We are keeping the forwarding limit. In our review of the last "
                                                "election period it halved the spread of mass-forwarded rumours, "
                                                "and those rumours put the people named in them at risk. "
                                                "Broadcast lists reach up to 256 contacts at once and suit job "
                                                "alerts better.")),
            Said("arck", "Les signalements rédigés en français ou en lingala restent sans réponse. Nous demandons "
                         "au minimum un accusé de réception dans la langue du signalement.",
                 Function.POLICY, "fr", ("content moderation", "local languages"),
                 Decision(CONSIDERING, next_step="Essai d'accusés de réception automatiques en français et en "
                                                 "lingala avec l'équipe de modération, puis décision sur leur "
                                                 "généralisation",
                          next_step_in_days=30)),
            Said("mtandao", "Publish how many takedown requests each East African government sends, and how many "
                            "you refuse.",
                 Function.LEGAL, tags=("government requests", "transparency"),
                 decision=Decision(ADOPTED, "From the next transparency report, takedown requests are broken "
                                            "down by country, with the share refused and the law each request "
                                            "cited.")),
            Said("nsamba", "We need a trusted-flagger channel with a named person for emergencies, such as when "
                           "someone's home address has been posted.",
                 Function.POLICY, tags=("content moderation", "trusted flaggers")),
        ),
        told=(
            Told("selam", Channel.EMAIL),
            Told("mtandao", Channel.SECURE_MESSENGER),
            # Kato's words were relayed for the group (issue 12): the report goes to the proxy, to pass on.
            Told("nsamba", Channel.IN_PERSON, "Given to Nsamba's caseworker, to pass on to the community members."),
            Told("arck", Channel.IN_PERSON, "Remis en main propre au bureau de l'association."),
        ),
    ),
    # Upcoming: participants invited and briefed, nothing heard yet.
    Meeting(
        key="vision_consultation",
        title="Face matching in Kestrel Cloud Vision: expert consultation",
        type=EngagementType.WORKSHOP, phases=(Phase.IDENTIFY,),
        starts_in=12, ends_in=12,
        purpose="Before the face-matching endpoint leaves beta: which customers and uses should we refuse, and "
                "what safeguards must the contract carry?",
        location="Online, end-to-end encrypted video call",
        information_handling=InformationHandling.CHATHAM_HOUSE,
        attending_functions=(Function.PRODUCT, Function.LEGAL, Function.COMMERCIAL),
        participants=(("laja", None), ("katrin", None), ("ligtas", None), ("lanthit", None), ("red_segura", None),
                      ("nordlicht", None)),
        briefings=(
            Briefing("How face matching in Kestrel Cloud Vision works: a plain-language explainer",
                     "https://kestrel-networks.example/briefings/cloud-vision-face-matching", 5,
                     "What the endpoint does, what it stores, the error rates we measured by skin tone and age, "
                     "and the customers who have asked for it."),
        ),
    ),
    # In progress: inputs taken this week, routed and waiting for decisions; one not yet routed.
    Meeting(
        key="interception_interviews",
        title="Lawful interception and government data requests: civil society interviews",
        type=EngagementType.INTERVIEW, phases=(Phase.IDENTIFY, Phase.ACT),
        starts_in=-3, ends_in=4,
        purpose="Test our draft policy on government demands for user data and network interception in high-risk "
                "markets.",
        location="Remote interviews over secure video",
        information_handling=InformationHandling.CONFIDENTIAL,
        handling_notes="No recording. Notes are kept by the human rights team and shared with Legal and Policy "
                       "only.",
        attending_functions=(Function.LEGAL, Function.POLICY),
        participants=(("observatoire", None), ("maricel", None), ("thiha", "lanthit"), ("lanthit", None),
                      ("katrin", None), ("mtandao", None)),
        inputs=(
            Said("observatoire", "Plusieurs opérateurs partenaires reçoivent des demandes d'interception sans "
                                 "aucune décision d'un juge. Kestrel devrait exiger une base légale écrite pour "
                                 "chaque demande et publier le nombre de demandes refusées.",
                 Function.LEGAL, "fr", ("lawful interception", "government requests")),
            Said("maricel", "Tell users when a government asks for their account data, unless a court has "
                            "expressly forbidden it. Journalists need to know when their sources may be exposed.",
                 Function.LEGAL, tags=("government requests", "journalists", "user notification")),
            # Heard through the Lanthit collective for the defenders' group (issue 12): recorded for the group,
            # never against Thiha; the decision's report goes to the collective, to pass on.
            Said("thiha", "Since the coup, records of who talks to whom are a list of targets. Keep as little "
                          "metadata as possible in Myanmar, and plan to leave rather than install interception "
                          "equipment if ordered to.",
                 Function.LEGAL, tags=("lawful interception", "metadata", "market exit"), triaged_later=True,
                 decision=Decision(CONSIDERING, next_step="Legal is mapping the metadata Kestrel Chat keeps in "
                                                          "Myanmar; the exit plan goes to the board with it",
                                   next_step_in_days=30)),
            Said("katrin", "Requests from non-EU authorities can reach data in the EU cloud region through the "
                           "parent company. Map which requests have actually reached EU-stored data.",
                 tags=("government requests", "cloud")),
            Said("lanthit", "Do not store the collective's name where country staff in Yangon can see it.",
                 Function.POLICY, tags=("safety of partners",),
                 decision=Decision(ADOPTED, "Done during the session: the collective is recorded in our systems "
                                            "only under a code, and the name is visible to the human rights team "
                                            "alone.")),
        ),
        told=(Told("lanthit", Channel.SECURE_MESSENGER,
                   "Over the collective's helpline messenger, with what we heard from the defenders to pass on."),),
    ),
    # A regional assessment over several months with local partners; half-way through.
    Meeting(
        key="latam_credit",
        title="Latin America regional assessment: algorithmic credit scoring in KestrelPay Crédito",
        type=EngagementType.REGIONAL_ASSESSMENT, phases=(Phase.IDENTIFY, Phase.ACT, Phase.TRACK),
        starts_in=-150, ends_in=40,
        purpose="Assess, with local partners in Colombia, Mexico and Brazil, how the credit-scoring model treats "
                "women, Afro-descendant and Indigenous users and gig workers, starting with a training phase for "
                "the partners.",
        location="Buenaventura, Tumaco, Mexico City, Guadalajara and São Gabriel da Cachoeira",
        information_handling=InformationHandling.ATTRIBUTABLE,
        attending_functions=(Function.PRODUCT, Function.COMMERCIAL, Function.LEGAL),
        participants=(("datos", None), ("laja", None), ("alejandra", None), ("jhon", None), ("raimunda", None),
                      ("urcp", None), ("red_pacifico", None)),
        briefings=(
            Briefing("Cómo funciona el puntaje de crédito de KestrelPay Crédito",
                     "https://kestrel-networks.example/briefings/puntaje-credito", 20,
                     "Qué datos usa el modelo, cómo se fija el límite y cómo pedir una revisión."),
        ),
        inputs=(
            Said("alejandra", "El modelo me bajó el límite cuando dejé de trabajar dos semanas por una cirugía. "
                              "Nadie me explicó por qué ni cómo pedir una revisión.",
                 Function.PRODUCT, "es", ("credit scoring", "explanations"),
                 Decision(PARTLY, "Cada cambio de límite llega ahora con sus tres motivos principales y un enlace "
                                  "para pedir revisión por una persona. No quitamos del modelo los ingresos "
                                  "recientes: sin ellos tendríamos que pedir historial bancario, que la mayoría "
                                  "de nuestras usuarias no tiene. En cambio, una baja médica declarada congela "
                                  "el límite durante 60 días.")),
            Said("jhon", "En Buenaventura nos niegan el crédito por el barrio donde vivimos. Eso es "
                         "discriminación.",
                 Function.PRODUCT, "es", ("credit scoring", "discrimination"),
                 Decision(CONSIDERING, next_step="Auditoría de sesgo por zona geográfica con la Fundación Datos "
                                                 "y Derechos; los resultados y la decisión se compartirán con "
                                                 "quienes participaron",
                          next_step_in_days=45)),
            Said("red_pacifico", "Las mujeres que venden por mensajería no tienen historial bancario y el puntaje "
                                 "las castiga. Pedimos que los cobros recibidos en la billetera cuenten como "
                                 "historial.",
                 Function.PRODUCT, "es", ("credit scoring", "women"),
                 Decision(ADOPTED, "Desde abril, los cobros recibidos en la billetera KestrelPay cuentan como "
                                   "ingreso en el puntaje, siempre que la usuaria lo autorice.")),
            Said("urcp", "El cobro automático de la cuota el mismo día que entra el pago de la plataforma deja a "
                         "los repartidores sin dinero para gasolina. Dejen elegir la fecha de cobro.",
                 Function.COMMERCIAL, "es", ("repayment", "platform work"),
                 Decision(PARTLY, "Se puede mover la fecha de cobro hasta siete días, una vez al mes, sin costo. "
                                  "No ofrecemos una fecha totalmente libre porque nuestro fondeador exige un "
                                  "calendario fijo, y romperlo subiría la tasa para todas las personas que "
                                  "usan el crédito.")),
            Said("laja", "Publish a plain-language model card and an independent fairness audit broken down by "
                         "gender, region and, where it can lawfully be collected, race and ethnicity.",
                 Function.LEGAL, tags=("credit scoring", "transparency", "discrimination"),
                 decision=Decision(PARTLY, "The model card will be published in Spanish and Portuguese, and the "
                                           "audit by an independent lab. We will not start collecting race or "
                                           "ethnicity from customers to run it: we have no basis to ask for it "
                                           "in the credit journey, so the audit uses region and gender, and the "
                                           "partners' own community surveys for the rest.")),
            Said("datos", "La gente no sabe que el puntaje usa la agenda de contactos del teléfono. Dejen de "
                          "usarla.",
                 Function.PRODUCT, "es", ("credit scoring", "privacy"),
                 Decision(ADOPTED, "El modelo dejó de usar la agenda de contactos y los registros de llamadas, y "
                                   "borramos los datos de ese tipo que ya teníamos.")),
            Said("raimunda", "Os agentes não falam nheengatu nem tukano, e o contrato de crédito só existe em "
                             "português. Muita gente assina sem entender.",
                 Function.COMMERCIAL, "pt", ("credit scoring", "local languages", "indigenous peoples")),
        ),
        told=(
            Told("red_pacifico", Channel.IN_PERSON, "Entregado en la reunión con las asociadas en Buenaventura."),
            Told("alejandra", Channel.PHONE),
        ),
    ),
    # The advisory council: everything decided, half the members told so far.
    Meeting(
        key="advisory_council",
        title="Human Rights Advisory Council: accessibility and AI features",
        type=EngagementType.ADVISORY_COUNCIL, phases=(Phase.TRACK, Phase.COMMUNICATE),
        starts_in=-21, ends_in=-21, feedback_due_in=25,
        purpose="Review progress on accessibility commitments and the new AI features before the annual report.",
        location="Berlin, with members joining online",
        information_handling=InformationHandling.ATTRIBUTABLE,
        attending_functions=(Function.PRODUCT, Function.ENGINEERING, Function.LEGAL, Function.POLICY),
        participants=(("anjali", None), ("drishti", None), ("ligtas", None), ("nordlicht", None), ("cifr", None),
                      ("aicha", None)),
        briefings=(
            Briefing("Accessibility and AI: progress since the last council",
                     "https://kestrel-networks.example/briefings/council-accessibility-ai", 10),
        ),
        inputs=(
            Said("anjali", "AI image descriptions in Kestrel Chat are switched off on low-end phones, which is "
                           "exactly where many blind users are. Offer them as a server-side option with clear "
                           "privacy terms.",
                 Function.PRODUCT, tags=("accessibility", "ai features"),
                 decision=Decision(CONSIDERING, next_step="Engineering is costing a server-side description "
                                                          "service that keeps no images; the decision will be "
                                                          "taken at the quarterly product review",
                                   next_step_in_days=40)),
            Said("drishti", "The KestrelPay voice menu should be available in Marathi and Kannada.",
                 Function.COMMERCIAL, tags=("accessibility", "local languages"),
                 decision=Decision(ADOPTED, "Both languages go live on the voice menu next quarter; Drishti "
                                            "members will test the recordings first.")),
            Said("ligtas", "Estimating age from a face scan at sign-up creates biometric data about children and "
                           "shuts out those whose phones have no usable camera. Use less intrusive methods.",
                 Function.LEGAL, tags=("children", "biometrics", "age assurance"),
                 decision=Decision(ADOPTED, "The face-scan age estimate is out of the sign-up redesign. Age is "
                                            "now checked through the account holder's declaration and the "
                                            "parent-linked account already used for under-16s.")),
            Said("nordlicht", "Report the loop-closure figures, the share of inputs with a decision and the days "
                              "to feedback, in the annual report.",
                 Function.POLICY, tags=("reporting",),
                 decision=Decision(ADOPTED, "Both figures will be in this year's annual report, with a note on "
                                            "how they are measured.")),
            Said("cifr", "Women's credit limits fall after marriage when they change phone number: the model "
                         "treats a new SIM card as a new person with no history.",
                 Function.ENGINEERING, tags=("credit scoring", "women"),
                 decision=Decision(ADOPTED, "When a new number is registered to the same verified ID, the "
                                            "repayment history now moves with it.")),
            Said("aicha", "Les frais d'envoi vers le Sénégal ne s'affichent qu'après la saisie du code secret. "
                          "Il faut montrer le coût total avant.",
                 Function.COMMERCIAL, "fr", ("fees", "remittances", "transparency"),
                 Decision(ADOPTED, "Depuis juin, le coût total et le taux de change s'affichent avant la saisie "
                                   "du code secret, pour tous les envois vers l'étranger.")),
        ),
        told=(
            Told("anjali", Channel.PHONE),
            Told("nordlicht", Channel.POST),
            Told("aicha", Channel.PHONE, "Appel en français, puis le compte rendu par SMS."),
        ),
    ),
)
