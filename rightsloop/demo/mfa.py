"""Second factors for the demo sign-ins: an authenticator and recovery codes per member, printed by load_demo.

The demo keeps multi-factor sign-in on like any deployment; a newcomer adds the printed secret to an
authenticator app (or asks `oathtool --totp -b SECRET`) and signs in with the demo password and a code.
"""

from __future__ import annotations

from dataclasses import dataclass

from rightsloop.accounts import actions, mfa
from rightsloop.accounts.models import User
from rightsloop.core.models import Organisation
from rightsloop.demo import content


@dataclass(frozen=True)
class DemoSecondFactor:
    username: str
    secret: str
    otpauth_url: str
    code_now: str
    recovery_codes: list[str]


def ensure_second_factors(organisation: Organisation) -> list[DemoSecondFactor]:
    """Give each demo member a confirmed authenticator and recovery codes, keeping any they already have."""
    factors = []
    for member in content.MEMBERS:
        user = User.objects.filter(username=member.username, memberships__organisation=organisation).first()
        if user is None:
            continue
        device = mfa.authenticator_for(user)
        if device is None:
            device = mfa.new_pending_authenticator(user)
            # The same action as enrolment in the browser: confirms the device, issues codes, audits it.
            codes = actions.confirm_authenticator(user=user, device=device, by=None)
        else:
            # Only digests of recovery codes are stored, so a second load cannot print the old ones: it
            # issues new ones (the old stop working) through the same action as the account page.
            codes = actions.renew_recovery_codes(user=user, by=None)
        device.refresh_from_db()
        factors.append(DemoSecondFactor(
            username=user.get_username(),
            secret=mfa.secret(device),
            otpauth_url=device.config_url,
            code_now=mfa.current_code(device),
            recovery_codes=codes,
        ))
    return factors
