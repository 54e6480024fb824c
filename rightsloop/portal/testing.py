"""Test helpers for portal pages (other apps' portal sections use them too)."""

from __future__ import annotations

from django.urls import reverse

from .links import mint


def open_portal(client, stakeholder) -> None:
    """Sign a Django test client into the portal as `stakeholder`, through the real flow: a link is issued
    (handed over, valid 7 days), its confirmation page read and its button posted. Any staff sign-in of the
    client ends, as it would in a browser."""
    _link, token = mint(stakeholder=stakeholder)
    url = reverse("portal:enter", args=[token])
    assert client.get(url).status_code == 200, "the portal link was refused"
    response = client.post(url)
    assert response.status_code == 302 and response.url == reverse("portal:home"), "the portal did not open"
