"""Destructive actions ask first: a GET shows what will be lost or change and changes nothing; the POST does it.

`asks_first(describe)` wraps a POST-only view: a GET calls `describe(request, **kwargs)` (which reaches the
objects through the same access functions as the view, so a GET answers "not found" exactly where a POST
would) and renders core/confirm.html with what it returns; the page's form POSTs to the same address, to the
view, unchanged. API endpoints are not affected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from django.shortcuts import render


@dataclass
class Confirmation:
    title: str
    losses: list[str]
    confirm_label: str
    back_url: str
    intro: str = ""
    kept: list[str] = field(default_factory=list)
    refusal: str = ""
    # Fields the confirming POST carries (for a view that does several things at one address).
    hidden: dict[str, str] = field(default_factory=dict)


def asks_first(describe: Callable[..., Confirmation]):
    def wrap(view):
        @wraps(view)
        def confirming(request, *args, **kwargs):
            if request.method in ("GET", "HEAD"):
                page = describe(request, *args, **kwargs)
                return render(request, "core/confirm.html", vars(page))
            return view(request, *args, **kwargs)
        return confirming
    return wrap
