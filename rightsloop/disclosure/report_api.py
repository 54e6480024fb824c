"""JSON API of the public reports (O2): /api/v1/reports. The same actions as the builder pages; a rule broken there
answers 400 with its message, a role without the capability 403, another organisation's report 404."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from rightsloop.accounts.roles import Capability
from rightsloop.core.access import MAX_ID
from rightsloop.core.api_errors import documented
from rightsloop.core.pagination import ApiPages
from rightsloop.risks.models import Risk

from . import report_actions as actions
from . import reports
from .report_models import Report

router = Router(tags=["reports"])
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Text = Annotated[str, Field(max_length=20000)]


def _require(viewer, capability: str) -> None:
    if not viewer.can(capability):
        raise PermissionDenied(_("Your role does not allow this."))


def _report(viewer, report_id: int) -> Report:
    found = Report.objects.for_organisation(viewer.organisation).filter(pk=report_id).first()
    if found is None:
        raise Http404
    return found


class ReportVersionOut(Schema):
    number: int
    published_at: datetime.datetime
    html: str
    pdf: str
    json: str = Field(alias="json_url")


class ReportOut(Schema):
    id: int
    period: str
    title: str
    status: str = Field(description="draft, reviewed, approved or published")
    version: int = Field(description="The version being prepared, or the last one published")
    versions: list[ReportVersionOut]


class ReportDetailOut(ReportOut):
    texts: dict[str, str] = Field(description="The narrative written for publication, by field")
    notices: list[str] = Field(description="What the builder warns of: empty sections, counts or names withheld")
    preview: dict[str, Any] = Field(description="The report as it would be published now")


def _versions(report: Report) -> list[dict]:
    slug = report.organisation.slug
    return [{"number": v.number, "published_at": v.published_at,
             "html": reverse("reports-public:report-version", args=[slug, report.period, v.number]),
             "pdf": reverse("reports-public:pdf-version", args=[slug, report.period, v.number]),
             "json_url": reverse("reports-public:json-version", args=[slug, report.period, v.number])}
            for v in report.versions.all()]


def _out(report: Report, *, detail: bool = False) -> dict:
    found = {"id": report.pk, "period": report.period, "title": report.title, "status": report.status,
             "version": report.version, "versions": _versions(report)}
    if detail:
        data = reports.content(report)
        found.update(texts={name: getattr(report, name) for name in actions.TEXT_FIELDS if name != "title"},
                     notices=reports.notices(data), preview=data)
    return found


class ReportIn(Schema):
    period: str = Field(max_length=16, description="A year (2026) or a quarter (2026-Q3)")
    title: str = Field(max_length=200)


class ReportPatch(Schema):
    title: str | None = Field(None, max_length=200)
    commitment: Text | None = None
    governance: Text | None = None
    salient_method: Text | None = None
    engagement_text: Text | None = None
    decisions_text: Text | None = None
    remedy_text: Text | None = None
    consultations_text: Text | None = None
    oversight_text: Text | None = None


class ReportIssueIn(Schema):
    public_title: str = Field(max_length=200)
    summary: Text = ""
    risk_id: Id | None = None


@router.get("/reports", response=documented({200: list[ReportOut]}), summary="Public reports, newest period first")
@paginate(ApiPages)
def list_reports(request):
    viewer = request.auth
    _require(viewer, Capability.REPORTS_VIEW)
    return [_out(report) for report in Report.objects.for_organisation(viewer.organisation)
            .select_related("organisation").prefetch_related("versions")]


@router.post("/reports", response=documented({201: ReportDetailOut}), summary="Start a public report for a period")
def create_report(request, body: ReportIn):
    report = actions.create_report(period=body.period, title=body.title, by=request.auth)
    return Status(201, _out(report, detail=True))


@router.get("/reports/{report_id}", response=documented({200: ReportDetailOut}),
            summary="A report with its texts and a preview of what would be published now")
def get_report(request, report_id: Id):
    viewer = request.auth
    _require(viewer, Capability.REPORTS_VIEW)
    return _out(_report(viewer, report_id), detail=True)


@router.patch("/reports/{report_id}", response=documented({200: ReportDetailOut}),
              summary="Change the title or the narrative written for publication")
def update_report(request, report_id: Id, body: ReportPatch):
    viewer = request.auth
    _require(viewer, Capability.REPORTS_VIEW)
    report = _report(viewer, report_id)
    report = actions.update_report(report=report, by=viewer, **body.dict(exclude_none=True))
    return _out(report, detail=True)


@router.post("/reports/{report_id}/issues", response=documented({201: ReportDetailOut}),
             summary="Name a salient issue in words written for publication")
def add_issue(request, report_id: Id, body: ReportIssueIn):
    viewer = request.auth
    _require(viewer, Capability.REPORTS_VIEW)
    report = _report(viewer, report_id)
    risk = None
    if body.risk_id is not None:
        risk = Risk.objects.for_organisation(viewer.organisation).filter(pk=body.risk_id).first()
        if risk is None:
            raise Http404
    actions.save_issue(report=report, public_title=body.public_title, summary=body.summary, risk=risk, by=viewer)
    return Status(201, _out(report, detail=True))


def _step(request, report_id: int, action):
    viewer = request.auth
    _require(viewer, Capability.REPORTS_VIEW)
    report = _report(viewer, report_id)
    action(report=report, by=viewer)
    report.refresh_from_db()
    return _out(report)


@router.post("/reports/{report_id}/review", response=documented({200: ReportOut}), summary="Mark a draft reviewed")
def review_report(request, report_id: Id):
    return _step(request, report_id, actions.mark_reviewed)


@router.post("/reports/{report_id}/approve", response=documented({200: ReportOut}),
             summary="Approve a reviewed report for publication (administrators and board members)")
def approve_report(request, report_id: Id):
    return _step(request, report_id, actions.approve)


@router.post("/reports/{report_id}/publish", response=documented({200: ReportOut}),
             summary="Publish an approved report as its next version")
def publish_report(request, report_id: Id):
    return _step(request, report_id, actions.publish)


@router.post("/reports/{report_id}/new-version", response=documented({200: ReportOut}),
             summary="Open a published report as a draft of its next version")
def new_report_version(request, report_id: Id):
    return _step(request, report_id, actions.start_new_version)
