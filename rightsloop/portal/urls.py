"""The portal's URLs: its door and shell, then one include per registered PortalSection.

Convention for sections: `PortalSection(key=..., urls="app.portal_urls")`; the module's patterns are
included under /portal/<key>/ in the namespace `portal:<key>`, and it must have a view named "index" (the
menu links to `portal:<key>:index`). Every section view is wrapped in `rightsloop.portal.access.portal_view`.
"""

from django.urls import include, path

from rightsloop.core.registry import site

from . import staff_views, views

app_name = "portal"

# Reserved first segments: no section may use these keys.
RESERVED = {"enter", "sign-out", "signed-out", "language", "staff"}

urlpatterns = [
    path("", views.home, name="home"),
    path("enter/<str:token>/", views.enter, name="enter"),
    path("language/", views.choose_language, name="language"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("signed-out/", views.signed_out, name="signed-out"),
    path("staff/", include((staff_views.urlpatterns, "staff"))),
]
for section in site.portal_sections:
    if section.key in RESERVED:
        raise ValueError(f"portal section key {section.key!r} is reserved")
    urlpatterns.append(path(f"{section.key}/", include((section.urls, section.key))))
