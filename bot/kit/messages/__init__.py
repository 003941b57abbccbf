"""The message catalogue, one module per feature, each with English ("en") and Simplified Chinese ("zh")."""

from bot.kit.messages import (
    api,
    audit,
    charts,
    contests,
    core,
    crm,
    customers,
    dashboard,
    deal_lifecycle,
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
    privacy,
    rewards,
    settings,
    standups,
    team,
    training,
)

FEATURES = (
    core, deals, kudos, feedback, team, customers, leads, intel, ideas, training,
    standups, leaderboard, digests, followups, rewards, goals, contests,
    home, settings, exports, charts, privacy, api, audit,
    deal_lifecycle, dashboard, crm,
)  # fmt: skip
