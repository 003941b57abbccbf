"""The message catalogue, one module per feature, each with English ("en") and Simplified Chinese ("zh")."""

from bot.kit.messages import (
    charts,
    contests,
    core,
    customers,
    dashboard,
    deals,
    digests,
    exports,
    feedback,
    followups,
    goals,
    home,
    ideas,
    intel,
    kudos,
    leaderboard,
    leads,
    rewards,
    settings,
    standups,
    team,
    training,
)

FEATURES = (
    core, deals, kudos, feedback, team, customers, leads, intel, ideas, training,
    standups, leaderboard, digests, followups, rewards, goals, contests,
    home, settings, exports, charts, dashboard,
)  # fmt: skip
