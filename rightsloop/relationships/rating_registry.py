"""What rating rounds (P2) add to the site: menu, schedules, subject data, portal section."""

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from rightsloop.accounts.roles import Capability
    from rightsloop.core.registry import MenuEntry, PortalSection, Schedule, SubjectData, site

    from . import rating_queries, ratings
    from .rating_tasks import send_rating_notices

    site.add_menu(MenuEntry(_("Relationship quality"), "relationships:ratings", Capability.RELATIONSHIPS_VIEW,
                            order=51))
    site.add_schedule(Schedule(key="send-rating-notices", task=send_rating_notices, cron="0 8 * * *"))
    site.add_subject_data(SubjectData(key="ratings", export=ratings.export_ratings, erase=ratings.erase_ratings))
    site.add_portal_section(PortalSection(key="ratings", label=_("Rate our relationship"),
                                          urls="rightsloop.relationships.rating_portal_urls", order=40,
                                          shown=rating_queries.is_invited))
