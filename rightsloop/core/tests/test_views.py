import pytest

from rightsloop.core.models import AuditEntry
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db


def test_audit_log_is_for_admins_and_auditors(admin, auditor, hr_lead, board, sign_in):
    make_stakeholder(hr_lead)
    for viewer in (admin, auditor):
        page = sign_in(viewer).get("/audit/?action=stakeholder").content.decode()
        assert "stakeholder.registered" in page
    for viewer in (hr_lead, board):
        assert sign_in(viewer).get("/audit/").status_code == 403


def test_organisation_settings(admin, hr_lead, sign_in):
    client = sign_in(admin)
    bad = client.post("/organisation/", {"name": "Kestrel", "default_language": "es", "feedback_days": 0})
    assert bad.status_code == 200 and "greater than or equal to 1" in bad.content.decode()
    client.post("/organisation/", {"name": "Kestrel", "default_language": "es", "feedback_days": 30})
    admin.organisation.refresh_from_db()
    assert (admin.organisation.default_language, admin.organisation.feedback_days) == ("es", 30)
    assert AuditEntry.objects.get(action="organisation.updated").changed_fields == [
        "default_language", "feedback_days", "name"]
    assert sign_in(hr_lead).get("/organisation/").status_code == 403


def test_language_switcher(hr_lead, sign_in):
    client = sign_in(hr_lead)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert '<html lang="fr"' in client.get("/").content.decode()


def test_error_pages_do_not_leak(hr_lead, sign_in):
    response = sign_in(hr_lead).get("/stakeholders/999999/")
    assert response.status_code == 404 and "Traceback" not in response.content.decode()
