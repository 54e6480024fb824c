"""Enqueue each registered task on its schedule; the task worker does the work."""

import logging

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from django.core.management.base import BaseCommand

from rightsloop.core.registry import site

logger = logging.getLogger("rightsloop.scheduler")


def enqueue(schedule) -> None:
    if schedule.in_scheduler:
        # Run here, not by the worker: this check must see a worker that hangs (core.supervision).
        try:
            logger.info("ran %s: %s", schedule.key, schedule.task.call())
        except Exception:  # the clock keeps ticking; the next minute tries again
            logger.exception("schedule %s failed", schedule.key)
        return
    result = schedule.task.enqueue()
    logger.info("enqueued %s as %s", schedule.key, result.id)


class Command(BaseCommand):
    help = "Run the clock: enqueue registered background tasks on their cron schedules (UTC)."

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="Print the schedules and exit.")
        parser.add_argument("--now", metavar="KEY", help="Enqueue one schedule's task once and exit.")

    def handle(self, *args, list: bool, now: str | None, **options):
        if list:
            for schedule in site.schedules:
                self.stdout.write(f"{schedule.key}\t{schedule.cron}")
            return
        if now:
            schedule = next((s for s in site.schedules if s.key == now), None)
            if schedule is None:
                self.stderr.write(f"Unknown schedule {now!r}.")
                raise SystemExit(2)
            enqueue(schedule)
            return
        scheduler = BlockingScheduler(timezone="UTC")
        for schedule in site.schedules:
            scheduler.add_job(enqueue, CronTrigger.from_crontab(schedule.cron, timezone="UTC"), args=[schedule],
                              id=schedule.key, coalesce=True, max_instances=1, misfire_grace_time=3600)
        self.stdout.write(f"Scheduling {len(site.schedules)} task(s); Ctrl-C to stop.")
        try:
            scheduler.start()
        except (KeyboardInterrupt, SystemExit):
            scheduler.shutdown(wait=False)
