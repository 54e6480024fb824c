"""Channel safety rules, as properties: rising safety only ever removes channels."""

from hypothesis import given
from hypothesis import strategies as st

from rightsloop.stakeholders.channels import TRACEABLE, Reach, permitted, permitted_channels
from rightsloop.stakeholders.vocabulary import Channel, SafetyLevel

LEVELS = [SafetyLevel.NORMAL, SafetyLevel.ELEVATED, SafetyLevel.HIGH]

reaches = st.builds(
    Reach,
    safety_level=st.sampled_from(LEVELS),
    safe_channels=st.frozensets(st.sampled_from(Channel.values)),
    has_email=st.booleans(),
    has_phone=st.booleans(),
    has_postal_address=st.booleans(),
    has_messenger=st.booleans(),
    has_proxy=st.booleans(),
    contact_consented=st.booleans(),
)


@given(reach=reaches)
def test_high_risk_people_are_never_reached_by_traceable_channels(reach):
    if reach.safety_level == SafetyLevel.HIGH:
        assert not set(permitted_channels(reach)) & TRACEABLE


@given(reach=reaches)
def test_elevated_risk_uses_only_channels_marked_safe_or_protective_ones(reach):
    if reach.safety_level == SafetyLevel.ELEVATED:
        for channel in permitted_channels(reach):
            assert channel in reach.safe_channels or channel in (Channel.IN_PERSON, Channel.VIA_PROXY)


@given(reach=reaches)
def test_raising_the_safety_level_never_adds_a_channel(reach):
    allowed = [set(permitted_channels(Reach(**{**reach.__dict__, "safety_level": level}))) for level in LEVELS]
    assert allowed[0] >= allowed[1] >= allowed[2]


@given(reach=reaches, channel=st.sampled_from(Channel.values))
def test_a_channel_needs_the_means_to_use_it(reach, channel):
    means = {
        Channel.EMAIL: reach.has_email, Channel.PHONE: reach.has_phone, Channel.POST: reach.has_postal_address,
        Channel.SECURE_MESSENGER: reach.has_messenger, Channel.VIA_PROXY: reach.has_proxy, Channel.IN_PERSON: True,
    }
    if permitted(reach, channel):
        assert means[channel]


@given(reach=reaches)
def test_declined_contact_leaves_only_the_proxy(reach):
    if not reach.contact_consented:
        assert set(permitted_channels(reach)) <= {Channel.VIA_PROXY}


def test_unknown_channel_or_level_is_refused():
    reach = Reach(safety_level="unknown", safe_channels=frozenset({"email"}), has_email=True)
    # An unknown level is treated as the most protective case: only meeting in person is left.
    assert permitted_channels(reach) == [Channel.IN_PERSON]
    assert not permitted(Reach(safety_level=SafetyLevel.NORMAL, safe_channels=frozenset(), has_email=True), "fax")


def test_normal_safety_allows_email_when_we_have_an_address():
    reach = Reach(safety_level=SafetyLevel.NORMAL, safe_channels=frozenset(), has_email=True)
    assert permitted(reach, Channel.EMAIL)
