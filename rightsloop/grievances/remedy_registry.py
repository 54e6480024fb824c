"""What the remedy part of the grievances app adds to the site: the follow-up page's remedy section and the
daily reminders to the owners of remedy actions."""


def register() -> None:
    from rightsloop.core.registry import Schedule, site

    from . import follow_up
    from .remedy_public_views import follow_up_section
    from .remedy_tasks import remind_remedy_action_owners

    follow_up.add_section(follow_up_section, order=50)
    site.add_schedule(Schedule(key="remind-remedy-action-owners", task=remind_remedy_action_owners,
                               cron="45 6 * * *"))
