"""Scheduled jobs, by name. Each is a plain async function of one JobContext: its clock, period, workspace and services."""

from jobs import (
    award_nominations,
    contests,
    crm_sync,
    digests,
    follow_ups,
    leaderboard,
    outbox,
    prune_events,
    refresh_members,
    retention,
    standups,
    training_reminders,
    webhook_delivery,
)
from jobs.base import JobServices, JobSpec, Period

JOBS: dict[str, JobSpec] = {
    spec.name: spec
    for spec in (
        refresh_members.JOB,
        prune_events.JOB,
        training_reminders.JOB,
        *standups.SPECS,
        leaderboard.JOB,
        *digests.SPECS,
        follow_ups.JOB,
        award_nominations.JOB,
        contests.JOB,
        retention.JOB,
        webhook_delivery.JOB,
        outbox.JOB,
        crm_sync.JOB,
    )
}

__all__ = ["JOBS", "JobServices", "JobSpec", "Period"]
