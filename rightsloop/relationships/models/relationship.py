from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rightsloop.core.models import Organisation, OrganisationScopedQuerySet


class Relationship(models.Model):
    """One stakeholder's standing relationship with the organisation, and the staff member who owns it.

    The owner hears first when the relationship sours (a low or falling rating), is reminded of the
    agreement's review date and NDA sunset, and may see that stakeholder's own ratings. No row means no
    owner yet: the human rights lead stands in (queries.owner_of).
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="relationships")
    stakeholder = models.OneToOneField("stakeholders.Stakeholder", on_delete=models.CASCADE,
                                       related_name="relationship")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.SET_NULL,
                              null=True, blank=True, related_name="owned_relationships")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")

    def __str__(self) -> str:
        return f"relationship {self.pk}"
