"""The board view, its board packs and the record of the board's briefings: thin doors onto board.py and
actions.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability
from rightsloop.core import audit
from rightsloop.core.forms import copy_errors
from rightsloop.core.pagination import paginate
from rightsloop.core.periods import Period

from . import actions, board, queries
from .forms import BriefingForm, PeriodForm, period_choices
from .models import PackStatus


def _period(request) -> tuple[Period, PeriodForm | None]:
    """The period asked for, or the running quarter with the form's error when the ask cannot be answered."""
    today = timezone.localdate()
    if "period" not in request.GET:
        return Period.containing(today), None
    form = PeriodForm(request.GET)
    if form.is_valid():
        return form.cleaned_data["period"], None
    return Period.containing(today), form



@requires(Capability.OVERSIGHT_VIEW)
@require_GET
def board_page(request):
    viewer = request.viewer
    period, refused = _period(request)
    view = board.board_view(viewer.organisation, period)
    return render(request, "oversight/board.html", {
        "view": view, "period": period, "refused": refused, "choices": period_choices(timezone.localdate()),
        "next": period.following() if period.following().has_started(timezone.localdate()) else None,
        "packs": list(queries.packs(viewer).filter(period=period.key)[:3]),
    }, status=400 if refused else 200)


@requires(Capability.OVERSIGHT_VIEW)
@require_http_methods(["GET", "POST"])
def pack_list(request):
    viewer = request.viewer
    form = PeriodForm(request.POST or None, initial={"period": Period.containing(timezone.localdate()).key})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.request_board_pack(period=form.cleaned_data["period"], by=viewer)
            except ValidationError as error:
                copy_errors(form, error)
            else:
                messages.success(request, _("The board pack is being prepared; it appears below when ready."))
                return redirect("oversight:packs")
        status = 400
    page = paginate(request, queries.packs(viewer), per_page=20)
    context = {"form": form, "page": page, "choices": period_choices(timezone.localdate()),
               "working": any(pack.status in (PackStatus.QUEUED, PackStatus.RENDERING) for pack in page)}
    if request.htmx and request.method == "GET":
        return render(request, "oversight/packs.html#pack-rows", context)
    return render(request, "oversight/packs.html", context, status=status)


@requires(Capability.OVERSIGHT_VIEW)
@require_GET
def pack_download(request, pk: int):
    pack = queries.access_pack(request.viewer, pk)
    if pack.status != PackStatus.READY or not pack.file:
        messages.error(request, _("This board pack is not ready."))
        return redirect("oversight:packs")
    audit.record(organisation=pack.organisation, by=request.viewer, action="board_pack.downloaded", target=pack)
    return FileResponse(pack.file.open("rb"), as_attachment=True, content_type="application/pdf",
                        filename=f"board-pack-{pack.organisation.slug}-{pack.period}.pdf")


@requires(Capability.OVERSIGHT_VIEW)
@require_GET
def briefing_list(request):
    viewer = request.viewer
    page = paginate(request, queries.briefings(viewer), per_page=25)
    rows = [(briefing, *queries.speakers(briefing, viewer)) for briefing in page]
    return render(request, "oversight/briefings.html", {
        "page": page, "rows": rows, "can_record": viewer.can(Capability.BOARD_BRIEFINGS_RECORD),
    })


def _briefing_form_page(request, form, briefing=None, status=200):
    return render(request, "oversight/briefing_form.html", {"form": form, "briefing": briefing}, status=status)


@requires(Capability.BOARD_BRIEFINGS_RECORD)
@require_http_methods(["GET", "POST"])
def briefing_create(request):
    viewer = request.viewer
    form = BriefingForm(request.POST or None, viewer=viewer, board_members=queries.board_members(viewer.organisation),
                        initial={"held_on": timezone.localdate()})
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.record_briefing(by=viewer, **_briefing_values(form))
            except ValidationError as error:
                copy_errors(form, error)
            else:
                messages.success(request, _("The board briefing is recorded."))
                return redirect("oversight:briefings")
        return _briefing_form_page(request, form, status=400)
    return _briefing_form_page(request, form)


@requires(Capability.BOARD_BRIEFINGS_RECORD)
@require_http_methods(["GET", "POST"])
def briefing_edit(request, pk: int):
    viewer = request.viewer
    briefing = queries.access_briefing(viewer, pk)
    chosen = list(briefing.stakeholders.all())
    form = BriefingForm(request.POST or None, viewer=viewer, chosen=chosen,
                        board_members=queries.board_members(viewer.organisation), initial={
                            "held_on": briefing.held_on, "kind": briefing.kind, "topic": briefing.topic,
                            "attendees": list(briefing.attendees.all()), "stakeholders": chosen,
                            "given_by": briefing.given_by, "material": briefing.material, "notes": briefing.notes})
    if request.method == "POST":
        if form.is_valid():
            try:
                # People the editor may not see stay as they were: the form cannot show them, so cannot drop them.
                values = _briefing_values(form)
                hidden = [person for person in chosen if person not in form.fields["stakeholders"].queryset]
                values["stakeholders"] = [*values["stakeholders"], *hidden]
                actions.update_briefing(briefing=briefing, by=viewer, **values)
            except ValidationError as error:
                copy_errors(form, error)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("oversight:briefings")
        return _briefing_form_page(request, form, briefing, status=400)
    return _briefing_form_page(request, form, briefing)


def _briefing_values(form) -> dict:
    data = form.cleaned_data
    return {"held_on": data["held_on"], "kind": data["kind"], "topic": data["topic"],
            "attendees": list(data["attendees"]), "stakeholders": list(data["stakeholders"]),
            "given_by": data["given_by"], "material": data["material"], "notes": data["notes"]}


@requires(Capability.OVERSIGHT_VIEW)
@require_POST
def refresh(request):
    """Recompute the period's figures now (the page otherwise serves the last ones and refreshes behind)."""
    form = PeriodForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("period", [])))
        return redirect("oversight:board")
    period = form.cleaned_data["period"]
    board.compute(request.viewer.organisation, period)
    messages.success(request, _("The figures are up to date."))
    return redirect(f"{reverse('oversight:board')}?period={period.key}")
