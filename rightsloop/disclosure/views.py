"""Staff pages of public disclosure: whether the open data is published, under which licence, and its releases."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability
from rightsloop.core.forms import copy_errors
from rightsloop.core.registry import site

from . import actions, datapackage, queries
from .forms import OpenDataForm


@requires(Capability.OPEN_DATA_MANAGE)
@require_http_methods(["GET", "POST"])
def open_data_settings(request):
    viewer = request.viewer
    organisation = viewer.organisation
    current = queries.settings_of(organisation)
    form = OpenDataForm(request.POST if request.method == "POST" else None,
                        initial={"published": current.published, "licence": current.licence})
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_open_data(organisation=organisation, published=form.cleaned_data["published"],
                                  licence=form.cleaned_data["licence"], by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("The open data is published: its first release is being built.")
                             if form.cleaned_data["published"] and not current.published
                             else _("Settings saved."))
            return redirect("disclosure:open-data")
    releases = list(queries.releases(organisation).defer("tables", "datapackage")[:3])
    return render(request, "disclosure/open_data/settings.html", {
        "form": form, "current": current, "releases": releases, "latest": releases[0] if releases else None,
        "tables": site.public_tables, "public_url": datapackage.index_url(organisation),
    }, status=400 if form.errors else 200)


@requires(Capability.OPEN_DATA_MANAGE)
@require_POST
def open_data_rebuild(request):
    viewer = request.viewer
    if actions.rebuild_open_data(organisation=viewer.organisation, by=viewer):
        messages.success(request, _("The open data is being rebuilt; reload this page in a minute."))
    else:
        messages.error(request, _("Publish the open data first."))
    return redirect("disclosure:open-data")
