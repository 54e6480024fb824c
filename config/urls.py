from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from rightsloop.api import api


def token_authenticated(urls):
    """Exempt the API from the sign-in redirect: every endpoint checks its bearer token instead."""
    patterns, app_name, namespace = urls
    for pattern in patterns:
        pattern.callback.login_required = False
    return patterns, app_name, namespace

urlpatterns = [
    path("", include("rightsloop.core.urls")),
    path("accounts/", include("rightsloop.accounts.urls")),
    path("stakeholders/", include("rightsloop.stakeholders.urls")),
    path("engagements/", include("rightsloop.engagements.urls")),
    path("risks/", include("rightsloop.risks.urls")),
    path("consultations/", include("rightsloop.consultations.urls")),
    path("relationships/", include("rightsloop.relationships.urls")),
    path("resourcing/", include("rightsloop.resourcing.urls")),
    # The stakeholder's own door: a signed link opens a portal session, never a staff account.
    path("portal/", include("rightsloop.portal.urls")),
    path("grievances/", include("rightsloop.grievances.urls")),
    path("oversight/", include("rightsloop.oversight.urls")),
    path("disclosure/", include("rightsloop.disclosure.urls")),
    path("reports/", include("rightsloop.disclosure.report_urls")),
    path("assessments/", include("rightsloop.assessments.urls")),
    path("shared-assessments/", include("rightsloop.collaboration.urls")),
    path("consensus/", include("rightsloop.consensus.urls")),
    # The grievance mechanism's public door: no sign-in, no JavaScript, no address of anyone kept.
    path("g/", include("rightsloop.grievances.public_urls")),
    # What respondents and the public see: no sign-in, no personal data.
    path("c/", include("rightsloop.consultations.public_urls")),
    # The open data of organisations that publish it: counts only, no sign-in.
    path("open-data/", include("rightsloop.disclosure.public_urls")),
    # Published public reports: no sign-in, counts and words written for publication only.
    path("r/", include("rightsloop.disclosure.public_report_urls")),
    # Consensus exercises' voting links: no sign-in, no JavaScript; the link is the participant's own.
    path("vote/", include("rightsloop.consensus.public_urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("api/v1/", token_authenticated(api.urls)),
]

handler403 = "rightsloop.core.views.forbidden"
handler404 = "rightsloop.core.views.not_found"
handler500 = "rightsloop.core.views.server_error"
