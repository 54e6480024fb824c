"""Send the loop-closure messages of a consultation in the background; safe to run twice."""

from django.conf import settings
from django_tasks import task

from rightsloop.core import supervision

from ..actions import outcomes


@task()
def send_messages(run_id: int) -> str:
    """Carry a message run to its end; a second call finds it done, or claims only addresses nobody has claimed."""
    # Connections to the mail server used at once: 1 suits a local relay; a remote SMTP server answers each
    # command over the network, and a few connections keep it busy (see the benchmark in the C3 report).
    connections = getattr(settings, "RIGHTSLOOP_CONSULTATION_MAIL_CONNECTIONS", 1)
    run = outcomes.deliver(run_id=run_id, connections=connections)
    return f"{run.state}: {run.sent} sent, {run.failed} failed"


# What the check in core.supervision does when the worker stops under a sending, or one takes too long. The task
# carries a sending on from where it stands (only addresses nobody has claimed are sent to), so resuming sets the
# sending running again with a note on its page.
def _run_id(args: list, kwargs: dict) -> int:
    return int(kwargs.get("run_id", args[0] if args else 0))


supervision.watch(
    send_messages,
    resume=lambda args, kwargs, at: outcomes.resume_stopped_sending(run_id=_run_id(args, kwargs), at=at),
    overdue=lambda args, kwargs, limit: outcomes.note_sending_overdue(run_id=_run_id(args, kwargs),
                                                                      limit_seconds=limit),
    abandon=lambda args, kwargs: outcomes.abandon_sending(run_id=_run_id(args, kwargs)),
)
