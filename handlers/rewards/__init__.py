"""`/reward`: awards with honorary titles, points, monthly nominations and the reward catalogue."""

from handlers.features import Command, Feature
from handlers.rewards import listeners

FEATURE = Feature(
    name="rewards",
    commands=(
        Command(
            "/reward",
            listeners.reward_command,
            description="Awards with honorary titles, points and the reward catalogue",
            usage_hint='@li "Sales Champion" for closing 3 deals [points:50] | points | catalogue | redeem',
            summary="rewards.summary",
        ),
    ),
    actions={
        "rewards_nomination_announce": listeners.nomination_clicked,
        "rewards_nomination_skip": listeners.nomination_clicked,
        "rewards_redemption_approve": listeners.redemption_clicked,
        "rewards_redemption_decline": listeners.redemption_clicked,
    },
)
