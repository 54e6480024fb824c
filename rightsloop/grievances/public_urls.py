"""The public grievance pages under /g/<organisation-slug>/: no sign-in, no JavaScript, no address kept."""

from . import intake_urls, remedy_public_urls

app_name = "grievances-public"

urlpatterns = intake_urls.urlpatterns + remedy_public_urls.urlpatterns
