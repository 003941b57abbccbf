"""Messages of the follow-up reminders: the daily DM, its lines and its buttons."""

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "followups.dm.text": "Follow-ups due: {count}.",
        "followups.dm.header": "Follow-ups for {date}",
        "followups.dm.intro": (
            "Due for contact: {count}. Mark each one *Done* when you have been in touch, "
            "snooze it for {days} days, or open the customer."
        ),
        "followups.dm.more": "…and {count} more, not shown here. They stay on your list until they are done.",
        "followups.line.customer_today": (
            ":bust_in_silhouette: *{customer}* ({segment}) is due for contact today. Last contact: {last}."
        ),
        "followups.line.customer_overdue.one": (
            ":bust_in_silhouette: *{customer}* ({segment}) was due for contact on {date}, {count} day ago. "
            "Last contact: {last}."
        ),
        "followups.line.customer_overdue.other": (
            ":bust_in_silhouette: *{customer}* ({segment}) was due for contact on {date}, {count} days ago. "
            "Last contact: {last}."
        ),
        "followups.line.deal_overdue.one": (
            ":moneybag: *{deal}* with {customer} ({amount}, {stage}) was expected to close on {date}, "
            "{count} day ago."
        ),
        "followups.line.deal_overdue.other": (
            ":moneybag: *{deal}* with {customer} ({amount}, {stage}) was expected to close on {date}, "
            "{count} days ago."
        ),
        "followups.line.customer_done": ":white_check_mark: ~{customer}~ done. Next follow-up: {date}.",
        "followups.line.customer_moved": ":zzz: *{customer}*: next follow-up moved to {date}.",
        "followups.line.deal_done": ":white_check_mark: ~{deal}~ with {customer}: follow-up logged.",
        "followups.line.deal_moved": ":zzz: *{deal}* with {customer}: expected close moved to {date}.",
        "followups.line.deal_closed": ":lock: *{deal}* with {customer} is closed ({stage}).",
        "followups.line.gone": ":grey_question: This customer or deal no longer exists.",
        "followups.line.never": "never",
        "followups.line.not_set": "not set",
        "followups.button.done": "Done",
        "followups.button.snooze": "Snooze {days} days",
        "followups.button.open": "Open",
        "followups.error.not_found": "That customer or deal no longer exists in this workspace.",
        "followups.error.not_owner": "Only the owner or a manager can do that.",
    },
    "zh": {
        "followups.dm.text": "待跟进：{count} 项。",
        "followups.dm.header": "{date} 的跟进提醒",
        "followups.dm.intro": "需要联系：{count} 项。联系过后点 *完成*，也可以推迟 {days} 天，或打开客户卡片。",
        "followups.dm.more": "……还有 {count} 项未列出。完成之前它们会一直留在你的清单上。",
        "followups.line.customer_today": ":bust_in_silhouette: *{customer}*（{segment}）今天需要联系。上次联系：{last}。",
        "followups.line.customer_overdue.one": (
            ":bust_in_silhouette: *{customer}*（{segment}）本应在 {date} 联系，已逾期 {count} 天。上次联系：{last}。"
        ),
        "followups.line.customer_overdue.other": (
            ":bust_in_silhouette: *{customer}*（{segment}）本应在 {date} 联系，已逾期 {count} 天。上次联系：{last}。"
        ),
        "followups.line.deal_overdue.one": (
            ":moneybag: 与 {customer} 的 *{deal}*（{amount}，{stage}）预计在 {date} 成交，已过去 {count} 天。"
        ),
        "followups.line.deal_overdue.other": (
            ":moneybag: 与 {customer} 的 *{deal}*（{amount}，{stage}）预计在 {date} 成交，已过去 {count} 天。"
        ),
        "followups.line.customer_done": ":white_check_mark: ~{customer}~ 已完成。下次跟进：{date}。",
        "followups.line.customer_moved": ":zzz: *{customer}*：下次跟进改到 {date}。",
        "followups.line.deal_done": ":white_check_mark: 与 {customer} 的 ~{deal}~：已记录跟进。",
        "followups.line.deal_moved": ":zzz: 与 {customer} 的 *{deal}*：预计成交日期改到 {date}。",
        "followups.line.deal_closed": ":lock: 与 {customer} 的 *{deal}* 已结束（{stage}）。",
        "followups.line.gone": ":grey_question: 这个客户或商机已不存在。",
        "followups.line.never": "从未",
        "followups.line.not_set": "未设置",
        "followups.button.done": "完成",
        "followups.button.snooze": "推迟 {days} 天",
        "followups.button.open": "打开",
        "followups.error.not_found": "这个客户或商机在本工作区已不存在。",
        "followups.error.not_owner": "只有负责人或经理可以这样做。",
    },
}
