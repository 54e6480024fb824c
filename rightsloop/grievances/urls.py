"""Staff pages of the grievance mechanism (sign-in required): one module of patterns per area."""

from . import case_urls, deadline_urls, remedy_urls, selfcheck_urls

app_name = "grievances"

urlpatterns = case_urls.urlpatterns + deadline_urls.urlpatterns + remedy_urls.urlpatterns + selfcheck_urls.urlpatterns
