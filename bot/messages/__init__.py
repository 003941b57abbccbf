"""The message catalogue, one module per feature, each with English ("en") and Simplified Chinese ("zh")."""

from bot.messages import (
    contests,
    core,
    customers,
    deals,
    digests,
    feedback,
    followups,
    goals,
    ideas,
    intel,
    kudos,
    leaderboard,
    leads,
    rewards,
    standups,
    team,
    training,
)

FEATURES = (
    core, deals, kudos, feedback, team, customers, leads, intel, ideas, training,
    standups, leaderboard, digests, followups, rewards, goals, contests,
)  # fmt: skip
