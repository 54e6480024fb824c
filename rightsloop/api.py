"""The versioned JSON API: one NinjaAPI, each app adds its router."""

from csp.decorators import csp_update
from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer

from rightsloop.accounts.actions import expire_api_token
from rightsloop.accounts.models import ApiToken, hash_token
from rightsloop.accounts.viewer import Viewer


class BearerToken(HttpBearer):
    """Authorization: Bearer rl_…; the request acts as the token's member."""

    def authenticate(self, request, token: str):
        if not token or len(token) > 200:
            return None
        now = timezone.now()
        key_hash = hash_token(token)
        found = (
            ApiToken.objects.usable(now)
            .select_related("membership__user", "membership__organisation")
            .filter(key_hash=key_hash)
            .first()
        )
        if found is None:
            # A token that ran out is marked revoked the first time it comes back, so the audit log and the
            # token page say when it ended; later tries find it revoked and write nothing.
            expired = ApiToken.objects.unrevoked().filter(key_hash=key_hash, expires_at__lte=now).first()
            if expired is not None:
                expire_api_token(token=expired)
            return None
        # At most one write a minute per token, not one per request.
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.viewer = Viewer.from_membership(found.membership)
        return request.viewer


def _contains_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(item) for item in value)
    return False


class TextSafeParser(Parser):
    """Accept only JSON objects, and refuse NUL characters: no database stores them; they come by mistake or attack."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise HttpError(400, _("The request body must be a JSON object."))
        if _contains_nul(data):
            raise HttpError(400, _("Text may not contain NUL (\\u0000) characters."))
        return data

    def parse_querydict(self, data, list_fields, request):
        parsed = super().parse_querydict(data, list_fields, request)
        if _contains_nul(parsed):
            raise HttpError(400, _("Query parameters may not contain NUL characters."))
        return parsed


api = NinjaAPI(
    title="Rightsloop API",
    version="1",
    description="Stakeholder engagement for human rights due diligence. "
    "Authenticate with `Authorization: Bearer <token>` (see `manage.py create_api_token`).",
    auth=BearerToken(),
    parser=TextSafeParser(),
    urls_namespace="api",
    # Swagger UI (served from ninja's own static files) draws its arrows as data: images; this exception
    # to the site's Content-Security-Policy holds for the docs page and openapi.json only.
    docs_decorator=csp_update({"img-src": ["data:"]}),
)


def _messages(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {field: [str(m) for e in errors for m in e.messages] for field, errors in error.error_dict.items()}
    return {"__all__": [str(m) for m in error.messages]}


@api.exception_handler(NinjaValidationError)
def invalid_request(request, exc: NinjaValidationError):
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload", "query", "path")]
        errors.setdefault(".".join(location) or "__all__", []).append(error.get("msg", "invalid"))
    return api.create_response(request, {"detail": _("Invalid request."), "errors": errors}, status=400)


@api.exception_handler(DjangoValidationError)
def rule_broken(request, exc: DjangoValidationError):
    return api.create_response(request, {"detail": _("Invalid request."), "errors": _messages(exc)}, status=400)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or _("Not allowed.")}, status=403)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(request, {"detail": _("A valid bearer token is required.")}, status=401)


@api.exception_handler(MultiPartParserError)
def unreadable_multipart(request, exc: MultiPartParserError):
    # A multipart type without a boundary, or a body that does not follow it: the client's mistake, not ours.
    return api.create_response(request, {"detail": _(
        "The body cannot be read as multipart/form-data (%(error)s). Send it with the boundary that "
        "Content-Type names, as HTTP clients do when given a file.") % {"error": exc}, "errors": {
        "__all__": [str(exc)]}}, status=400)


@api.exception_handler(RequestDataTooBig)
def too_big(request, exc):
    # Django refuses to read a body over DATA_UPLOAD_MAX_MEMORY_SIZE: the client's mistake, not a server error.
    return api.create_response(request, {"detail": _("The request body is larger than %(limit)s bytes, the most "
                                                     "this API reads.") % {
        "limit": f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,}"}}, status=413)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(Exception)
def unexpected(request, exc):
    import logging

    logging.getLogger("rightsloop.api").exception("unhandled API error")
    return api.create_response(request, {"detail": _("Internal error; nothing was half-saved.")}, status=500)


from rightsloop.assessments.api import router as assessments_router  # noqa: E402
from rightsloop.collaboration.api import router as collaboration_router  # noqa: E402
from rightsloop.consensus.api import router as consensus_router  # noqa: E402
from rightsloop.consultations.api import router as consultations_router  # noqa: E402
from rightsloop.core.api import router as audit_log_router  # noqa: E402
from rightsloop.disclosure.api import router as open_data_router  # noqa: E402
from rightsloop.disclosure.report_api import router as reports_router  # noqa: E402
from rightsloop.engagements.api import router as engagements_router  # noqa: E402
from rightsloop.engagements.load_api import router as load_router  # noqa: E402
from rightsloop.engagements.promise_api import router as promises_router  # noqa: E402
from rightsloop.grievances.api_cases import router as grievance_cases_router  # noqa: E402
from rightsloop.grievances.api_deadlines import router as grievance_deadlines_router  # noqa: E402
from rightsloop.grievances.api_intake import router as grievance_intake_router  # noqa: E402
from rightsloop.grievances.api_remedy import router as grievance_remedy_router  # noqa: E402
from rightsloop.grievances.api_selfcheck import router as grievance_selfcheck_router  # noqa: E402
from rightsloop.oversight.api import router as oversight_router  # noqa: E402
from rightsloop.portal.api import router as portal_router  # noqa: E402
from rightsloop.relationships.agreement_api import router as agreements_router  # noqa: E402
from rightsloop.relationships.rating_api import router as ratings_router  # noqa: E402
from rightsloop.resourcing.api import router as payments_router  # noqa: E402
from rightsloop.risks.api import router as risks_router  # noqa: E402
from rightsloop.stakeholders.api import router as stakeholders_router  # noqa: E402
from rightsloop.stakeholders.group_api import router as groups_router  # noqa: E402

api.add_router("/stakeholders", stakeholders_router)
api.add_router("/groups", groups_router)
api.add_router("/", engagements_router)
api.add_router("/", risks_router)
api.add_router("/consultations", consultations_router)
api.add_router("/agreements", agreements_router)
api.add_router("/", ratings_router)
api.add_router("/", payments_router)
api.add_router("/", load_router)
api.add_router("/", promises_router)
api.add_router("/portal-links", portal_router)
api.add_router("/", oversight_router)
api.add_router("/", reports_router)
api.add_router("/", grievance_intake_router)
api.add_router("/", grievance_cases_router)
api.add_router("/", grievance_deadlines_router)
api.add_router("/", grievance_remedy_router)
api.add_router("/", grievance_selfcheck_router)
api.add_router("/", open_data_router)
api.add_router("/", audit_log_router)
api.add_router("/shared-assessments", collaboration_router)
api.add_router("/assessments", assessments_router)
api.add_router("/consensus", consensus_router)
