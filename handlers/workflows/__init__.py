"""Workflow Builder steps: deals, kudos, the leaderboard and follow-ups from a workflow, under the commands' rules."""

from handlers.features import Feature, Parameter, WorkflowStep
from handlers.workflows import listeners

USER, USERS, TEXT = "slack#/types/user_id", "slack#/types/user_id[]", "string"
CHANNEL = "slack#/types/channel_id"

FEATURE = Feature(
    name="workflows",
    steps=(
        WorkflowStep(
            "log_deal",
            listeners.log_deal,
            "Log a deal",
            "Log a deal or a win, as /deal does",
            inputs=(
                Parameter("customer", TEXT, "Customer"),
                Parameter("amount", TEXT, "Amount", "12500, 12.5k, $12,500 or EUR 900"),
                Parameter(
                    "currency", TEXT, "Currency", "An ISO code; the workspace's if empty", required=False
                ),
                Parameter(
                    "stage", TEXT, "Stage", "lead, qualified, proposal, negotiation or won", required=False
                ),
                Parameter("owner", USER, "Owner"),
            ),
            outputs=(Parameter("deal_id", TEXT, "Deal id"), Parameter("deal_link", TEXT, "Deal link")),
        ),
        WorkflowStep(
            "give_kudos",
            listeners.give_kudos,
            "Give kudos",
            "Thank peers, as /kudos does (the giver's daily allowance applies)",
            inputs=(
                Parameter("giver", USER, "From"),
                Parameter("receivers", USERS, "To"),
                Parameter("message", TEXT, "What for"),
                Parameter("value", TEXT, "Value", "One of the team's values", required=False),
            ),
            outputs=(Parameter("kudos_id", TEXT, "Kudos id"),),
        ),
        WorkflowStep(
            "post_leaderboard",
            listeners.post_leaderboard,
            "Post this week's leaderboard",
            "Post the week's boards so far (revenue, deals, kudos) to a channel",
            inputs=(Parameter("channel", CHANNEL, "Channel"),),
        ),
        WorkflowStep(
            "add_follow_up",
            listeners.add_follow_up,
            "Add a customer follow-up",
            "Log a touch with a customer and when to follow up, as /log does",
            inputs=(
                Parameter("customer", TEXT, "Customer"),
                Parameter("user", USER, "Who"),
                Parameter("kind", TEXT, "Kind", "call, meeting, email, demo, visit or note", required=False),
                Parameter("note", TEXT, "Note", required=False),
                Parameter("next_follow_up", TEXT, "Next follow-up", "YYYY-MM-DD", required=False),
            ),
            outputs=(Parameter("next_follow_up", TEXT, "Next follow-up"),),
        ),
    ),
    messages={
        "en": {
            "workflows.error.not_posted": "Couldn't post in <#{channel}> ({reason}): invite @dealbell there."
        },
        "zh": {
            "workflows.error.not_posted": "无法在 <#{channel}> 发布（{reason}）：请先邀请 @dealbell 加入。"
        },
    },
)
