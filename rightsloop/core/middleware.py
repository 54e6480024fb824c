"""Guards that apply to every request before any view reads it."""

from __future__ import annotations

from .views import not_found


class NulInPathMiddleware:
    """A NUL character anywhere in the path answers 404, before any view looks it up.

    No database stores NUL in text (PostgreSQL refuses it with an error, so a token or slug taken from the URL
    would give a 500), and no address of ours contains one: such a path names nothing. Query strings are left to
    the views (their filters ignore control characters), form fields to Django's forms (which refuse NUL), API
    bodies and queries to the API's parser (rightsloop.api.TextSafeParser).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or "\x00" in request.path:
            return not_found(request)
        return self.get_response(request)
