from django.urls import path, register_converter

from . import public_report_views as views


class PeriodConverter:
    regex = r"[0-9]{4}(?:-Q[1-4])?"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PeriodConverter, "period")

app_name = "reports-public"
urlpatterns = [
    path("<slug:slug>/", views.index, name="index"),
    path("<slug:slug>/<period:period>/", views.report, name="report"),
    path("<slug:slug>/<period:period>/report.pdf", views.pdf, name="pdf"),
    path("<slug:slug>/<period:period>/report.json", views.as_json, name="json"),
    path("<slug:slug>/<period:period>/v<int:number>/", views.report, name="report-version"),
    path("<slug:slug>/<period:period>/v<int:number>/report.pdf", views.pdf, name="pdf-version"),
    path("<slug:slug>/<period:period>/v<int:number>/report.json", views.as_json, name="json-version"),
]
