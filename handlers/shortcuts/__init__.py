"""Shortcuts: a message's ⋯ menu and the ⚡ menu, opening the commands' forms pre-filled."""

from handlers.features import Feature, Shortcut
from handlers.shortcuts import listeners

FEATURE = Feature(
    name="shortcuts",
    shortcuts=(
        Shortcut(
            "kudos_for_message",
            listeners.kudos_for_message,
            "Give kudos for this",
            "Thank the author and the people this message names",
            kind="message",
        ),
        Shortcut(
            "deal_from_message",
            listeners.deal_from_message,
            "Log a deal from this",
            "Log the deal this message mentions",
            kind="message",
        ),
        Shortcut("log_deal", listeners.log_deal, "Log a deal", "Log a deal or a win"),
        Shortcut("give_kudos", listeners.give_kudos, "Give kudos", "Thank peers for their help"),
    ),
    messages={
        "en": {"shortcuts.kudos.reason": "For this: {link}"},
        "zh": {"shortcuts.kudos.reason": "为了这条消息：{link}"},
    },
)
