"""Every background task has a test that runs it twice and asserts the same end state (STYLE: idempotent tasks).

The run-twice tests live beside each task (e.g. engagements/tests/test_tasks.py); this file finds every
@task in rightsloop and fails when one has no such test, so a new task cannot arrive untested for retries.
"""

import importlib
import inspect
import pkgutil

from django_tasks.base import Task

import rightsloop

# Task -> the test that runs it twice and asserts the end state.
RUN_TWICE_TESTS = {
    "rightsloop.consensus.tasks.analyse_exercise":
        "rightsloop.consensus.tests.test_analysis::test_the_task_runs_the_queued_run_and_a_second_call_does_nothing",
    "rightsloop.consensus.tasks.send_outcome_emails":
        "rightsloop.consensus.tests.test_results::test_the_outcome_task_run_twice_writes_to_each_participant_once",
    "rightsloop.core.tasks.purge_expired_records":
        "rightsloop.core.tests.test_retention::test_the_daily_task_is_idempotent",
    "rightsloop.core.supervision.watch_tasks":
        "rightsloop.core.tests.test_supervision::test_the_check_run_twice_resumes_once",
    "rightsloop.core.tasks.refresh_planner_statistics":
        "rightsloop.core.tests.test_scheduler::test_the_planner_statistics_are_refreshed_daily_and_twice_is_harmless",
    "rightsloop.core.tasks.purge_expired_sessions":
        "rightsloop.accounts.tests.test_sessions::test_the_purge_task_removes_expired_sessions_and_keeps_live_ones",
    "rightsloop.engagements.tasks.deliver_feedback_email":
        "rightsloop.engagements.tests.test_tasks::test_delivery_task_twice_sends_once",
    "rightsloop.engagements.tasks.remind_overdue_loops":
        "rightsloop.engagements.tests.test_tasks::test_reminder_task_twice_sends_once",
    "rightsloop.engagements.tasks.keep_track_of_promises":
        "rightsloop.engagements.tests.test_promises::test_the_daily_task_run_twice_reminds_and_breaks_once",
    "rightsloop.consultations.tasks.messages.send_messages":
        "rightsloop.consultations.tests.test_outcomes::test_the_task_run_twice_sends_once",
    "rightsloop.consultations.tasks.imports.check_import":
        "rightsloop.consultations.tests.test_imports::test_the_check_task_run_twice_gives_the_same_counts_and_problems",
    "rightsloop.consultations.tasks.imports.apply_import":
        "rightsloop.consultations.tests.test_imports::test_the_apply_task_run_twice_imports_each_line_once",
    "rightsloop.consultations.tasks.imports.rollback_import":
        "rightsloop.consultations.tests.test_imports::test_the_rollback_task_run_twice_removes_everything_once",
    "rightsloop.consultations.tasks.analysis.discover_themes_task":
        "rightsloop.consultations.tests.test_analysis_runs::test_the_discovery_task_run_twice_does_the_run_once",
    "rightsloop.consultations.tasks.analysis.assign_themes_task":
        "rightsloop.consultations.tests.test_analysis_runs::test_the_assignment_task_run_twice_places_each_response_once",
    "rightsloop.relationships.agreement_tasks.remind_agreements":
        "rightsloop.relationships.tests.test_agreement_reminders::test_review_reminder_to_the_owner_once",
    "rightsloop.relationships.rating_tasks.send_rating_notices":
        "rightsloop.relationships.tests.test_rating_tasks::test_the_notice_task_run_twice_sends_each_message_once",
    "rightsloop.relationships.rating_tasks.tell_owner_of_flag":
        "rightsloop.relationships.tests.test_rating_tasks::test_the_flag_task_run_twice_tells_the_owner_once",
    "rightsloop.portal.tasks.send_portal_link":
        "rightsloop.portal.tests.test_tasks::test_the_link_task_run_twice_sends_once",
    "rightsloop.grievances.tasks.grievance_deadlines":
        "rightsloop.grievances.tests.test_deadlines_task::test_the_task_run_twice_sends_the_same_emails_once",
    "rightsloop.grievances.remedy_tasks.remind_remedy_action_owners":
        "rightsloop.grievances.tests.test_remedy_reminders::test_the_daily_task_is_scheduled_and_runs",
    "rightsloop.oversight.tasks.refresh_board_figures":
        "rightsloop.oversight.tests.test_tasks::test_refreshing_a_period_twice_leaves_one_fresh_snapshot",
    "rightsloop.oversight.tasks.refresh_all_board_figures":
        "rightsloop.oversight.tests.test_tasks::test_the_schedule_run_twice_recounts_only_what_changed",
    "rightsloop.oversight.tasks.render_board_pack":
        "rightsloop.oversight.tests.test_tasks::test_rendering_a_pack_twice_renders_it_once",
    "rightsloop.disclosure.report_tasks.render_report_pdf":
        "rightsloop.disclosure.tests.test_reports::test_the_pdf_task_run_twice_renders_one_pdf",
    "rightsloop.disclosure.tasks.publish_all_open_data":
        "rightsloop.disclosure.tests.test_open_data::test_the_daily_task_run_twice_builds_the_same_release_once_audited",
    "rightsloop.disclosure.tasks.publish_open_data_task":
        "rightsloop.disclosure.tests.test_open_data::test_the_organisations_task_run_twice_builds_the_same_release",
}


def every_task() -> set[str]:
    """Every Task defined anywhere in rightsloop, whatever its module is called (tasks.py,
    consultations/tasks/imports.py, relationships/rating_tasks.py, core/supervision.py …): every module is
    imported, tests and migrations aside, and each Task is named by the module that defines it."""
    found = set()
    for module in pkgutil.walk_packages(rightsloop.__path__, "rightsloop."):
        if {"tests", "migrations"} & set(module.name.split(".")):
            continue
        for _name, value in inspect.getmembers(importlib.import_module(module.name)):
            if isinstance(value, Task):
                found.add(value.module_path)
    return found


def test_the_finder_finds_tasks_in_modules_of_any_name():
    found = every_task()
    assert {"rightsloop.core.supervision.watch_tasks", "rightsloop.relationships.rating_tasks.send_rating_notices",
            "rightsloop.consultations.tasks.imports.check_import"} <= found


def test_every_task_has_a_run_twice_test():
    missing = every_task() - set(RUN_TWICE_TESTS)
    assert not missing, f"Add a test that runs {sorted(missing)} twice, and list it in RUN_TWICE_TESTS."


def test_the_listed_run_twice_tests_exist_and_call_their_task_twice():
    for task_path, test_path in RUN_TWICE_TESTS.items():
        module_name, test_name = test_path.split("::")
        test = getattr(importlib.import_module(module_name), test_name, None)
        assert test is not None, f"{test_path} is gone; {task_path} needs a run-twice test."
        task_name = task_path.rsplit(".", 1)[-1]
        # Called directly, or enqueued: the test settings' ImmediateBackend runs an enqueued task at once.
        source = inspect.getsource(test)
        runs = source.count(f"{task_name}.call(") + source.count(f"{task_name}.enqueue(")
        assert runs >= 2, f"{test_path} must run {task_name} twice."
