"""Public pages of the grievance mechanism: intake, receipt, follow-up."""

urlpatterns: list = []
