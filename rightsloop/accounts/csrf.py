"""Make Django's CSRF check work under Referrer-Policy: no-referrer (docs/adr/0001-referrer-policy.md)."""

from contextlib import suppress

from django.core.exceptions import DisallowedHost


class SameOriginNullMiddleware:
    """Before Django's CsrfViewMiddleware: read "Origin: null" as our own origin when the browser vouches for it.

    Under no-referrer, browsers serialise the Origin of a same-origin form post as "null", which Django's
    CsrfViewMiddleware must refuse. Sec-Fetch-Site is set by the browser and no page's script can set it,
    so "same-origin" there is the browser's own word that one of our pages sent the form. Only then is
    Origin replaced with this site's origin; every other "null" (sandboxed frames, cross-site redirects,
    a browser that sends no Sec-Fetch-Site) reaches Django's check unchanged and is refused as before.
    Django's middleware still checks the CSRF token, which lives in the session (CSRF_USE_SESSIONS).

    A separate middleware rather than a CsrfViewMiddleware subclass keeps Django's own class in MIDDLEWARE,
    which `check --deploy` (security.W003) looks for by name.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.META.get("HTTP_ORIGIN") == "null" and request.META.get("HTTP_SEC_FETCH_SITE") == "same-origin":
            with suppress(DisallowedHost):  # An unknown host keeps "null", which Django refuses.
                request.META["HTTP_ORIGIN"] = f"{request.scheme}://{request.get_host()}"
        return self.get_response(request)
