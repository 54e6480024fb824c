"""Reads of the open data shared by its pages and API: an organisation's settings and releases, and the release the
public may read."""

from __future__ import annotations

from django.http import Http404

from rightsloop.core.models import Organisation

from .models import OpenDataRelease, OpenDataSettings


def settings_of(organisation: Organisation) -> OpenDataSettings:
    """The organisation's settings, or the defaults (unsaved: reading writes nothing)."""
    return (OpenDataSettings.objects.filter(organisation=organisation).first()
            or OpenDataSettings(organisation=organisation))


def releases(organisation: Organisation):
    return OpenDataRelease.objects.for_organisation(organisation)


def latest_release(organisation: Organisation) -> OpenDataRelease | None:
    return releases(organisation).defer("tables", "datapackage").first()


def public_release(slug: str) -> OpenDataRelease:
    """The release the public reads at /open-data/<slug>/: 404 alike for an unknown organisation, one that does not
    publish its open data, and one whose first release is still being built."""
    organisation = Organisation.objects.filter(slug=slug).first() if len(slug) <= 50 else None
    if organisation is None or not OpenDataSettings.objects.filter(organisation=organisation, published=True).exists():
        raise Http404
    release = releases(organisation).select_related("organisation").first()
    if release is None:
        raise Http404
    return release
