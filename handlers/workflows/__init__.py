"""Workflow Builder steps: log a deal and give kudos from a workflow, under the commands' rules."""

from handlers.features import Feature, Parameter, WorkflowStep
from handlers.workflows import listeners

USER, USERS, TEXT = "slack#/types/user_id", "slack#/types/user_id[]", "string"

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
    ),
)
