"""The words of shared assessments (G3): how an invitation ended and how a partner consented to the pool."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PoolConsentMethod(models.TextChoices):
    """How the partner told us they agree to being in the shared pool."""

    WRITTEN = "written", _("Written")
    VERBAL = "verbal", _("Verbal, noted by staff")
    ONLINE = "online", _("Online form")
    VIA_PROXY = "via_proxy", _("Through their proxy")
