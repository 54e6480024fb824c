"""Send the loop-closure messages of a consultation in the background; safe to run twice."""

from django.conf import settings
from django_tasks import task

from ..actions import outcomes


@task()
def send_messages(run_id: int) -> str:
    """Carry a message run to its end; a second call finds it done, or claims only addresses nobody has claimed."""
    # Connections to the mail server used at once: 1 suits a local relay; a remote SMTP server answers each
    # command over the network, and a few connections keep it busy (see the benchmark in the C3 report).
    connections = getattr(settings, "RIGHTSLOOP_CONSULTATION_MAIL_CONNECTIONS", 1)
    run = outcomes.deliver(run_id=run_id, connections=connections)
    return f"{run.state}: {run.sent} sent, {run.failed} failed"
