"""The message catalogue, one module per feature, each with English ("en") and Simplified Chinese ("zh")."""

from bot.messages import (
    core,
    customers,
    deals,
    digests,
    feedback,
    followups,
    ideas,
    intel,
    kudos,
    leaderboard,
    leads,
    standups,
    team,
    training,
)

FEATURES = (
    core, deals, kudos, feedback, team, customers, leads, intel, ideas, training,
    standups, leaderboard, digests, followups,
)  # fmt: skip
