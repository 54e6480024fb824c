"""Background jobs of the portal; each calls an action and is safe to run twice."""

from django_tasks import task

from .actions import links


@task()
def send_portal_link(link_id: int) -> str:
    return links.send_link_email(link_id=link_id)
