"""Shortcuts: a message's ⋯ menu and the ⚡ menu, opening the commands' forms pre-filled."""

from handlers.features import Feature, Shortcut
from handlers.shortcuts import feedback_request, follow_up, listeners

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
        Shortcut(
            "follow_up_from_message",
            follow_up.open_form,
            "Add follow-up",
            "Log a touch with the customer this message names",
            kind="message",
        ),
        Shortcut("log_deal", listeners.log_deal, "Log a deal", "Log a deal or a win"),
        Shortcut("give_kudos", listeners.give_kudos, "Give kudos", "Thank peers for their help"),
        Shortcut(
            "request_feedback",
            feedback_request.open_form,
            "Request feedback",
            "Ask peers for feedback on someone (managers)",
        ),
    ),
    views={follow_up.CALLBACK_ID: follow_up.submit, feedback_request.CALLBACK_ID: feedback_request.submit},
    messages={
        "en": {
            "shortcuts.kudos.reason": "For this: {link}",
            "shortcuts.follow_up.title": "Add follow-up",
            "shortcuts.follow_up.submit": "Save",
            "shortcuts.follow_up.customer": "Customer",
            "shortcuts.follow_up.kind": "What happened",
            "shortcuts.follow_up.note": "Note",
            "shortcuts.follow_up.next": "Next follow-up",
            "shortcuts.feedback.title": "Request feedback",
            "shortcuts.feedback.submit": "Ask",
            "shortcuts.feedback.subject": "Feedback on",
            "shortcuts.feedback.askees": "Ask these people",
        },
        "zh": {
            "shortcuts.kudos.reason": "为了这条消息：{link}",
            "shortcuts.follow_up.title": "添加跟进",
            "shortcuts.follow_up.submit": "保存",
            "shortcuts.follow_up.customer": "客户",
            "shortcuts.follow_up.kind": "类型",
            "shortcuts.follow_up.note": "备注",
            "shortcuts.follow_up.next": "下次跟进",
            "shortcuts.feedback.title": "征求反馈",
            "shortcuts.feedback.submit": "发送",
            "shortcuts.feedback.subject": "关于谁的反馈",
            "shortcuts.feedback.askees": "请这些人反馈",
        },
    },
)
