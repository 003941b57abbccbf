"""Messages of the follow-up reminders: the daily DM, its lines and its buttons."""

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "followups.dm.text": "Follow-ups due: {count}.",
        "followups.dm.header": "Follow-ups for {date}",
        "followups.dm.intro": "{items}. {hints}",
        "followups.dm.customers.one": "{count} customer due for contact",
        "followups.dm.customers.other": "{count} customers due for contact",
        "followups.dm.deals.one": "{count} deal past its expected close",
        "followups.dm.deals.other": "{count} deals past their expected close",
        "followups.dm.and": " and ",
        "followups.dm.hint.customers.one": (
            "Mark a customer *Done* once you have been in touch, or snooze it for {count} day."
        ),
        "followups.dm.hint.customers.other": (
            "Mark a customer *Done* once you have been in touch, or snooze it for {count} days."
        ),
        "followups.dm.hint.deals.one": (
            "For a deal, close it or set a new expected close with `/deal`; snoozing its reminder for "
            "{count} day leaves the expected close (and the forecast) as it is."
        ),
        "followups.dm.hint.deals.other": (
            "For a deal, close it or set a new expected close with `/deal`; snoozing its reminder for "
            "{count} days leaves the expected close (and the forecast) as it is."
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
        "followups.line.deal_snoozed": (
            ":zzz: *{deal}* with {customer}: reminder snoozed until {date}; the expected close stays {close}."
        ),
        "followups.line.deal_closed": ":lock: *{deal}* with {customer} is closed ({stage}).",
        "followups.line.gone": ":grey_question: This customer or deal no longer exists.",
        "followups.line.never": "never",
        "followups.line.not_set": "not set",
        "followups.button.done": "Done",
        "followups.button.snooze.one": "Snooze {count} day",
        "followups.button.snooze.other": "Snooze {count} days",
        "followups.button.open": "Open",
        "followups.error.not_found": "That customer or deal no longer exists in this workspace.",
        "followups.error.not_owner": "Only the owner or a manager can do that.",
    },
    "zh": {
        "followups.dm.text": "待跟进：{count} 项。",
        "followups.dm.header": "{date} 的跟进提醒",
        "followups.dm.intro": "{items}。{hints}",
        "followups.dm.customers.one": "{count} 个客户需要联系",
        "followups.dm.customers.other": "{count} 个客户需要联系",
        "followups.dm.deals.one": "{count} 个商机已过预计成交日期",
        "followups.dm.deals.other": "{count} 个商机已过预计成交日期",
        "followups.dm.and": "，",
        "followups.dm.hint.customers.one": "联系过客户后点 *完成*，也可以推迟 {count} 天。",
        "followups.dm.hint.customers.other": "联系过客户后点 *完成*，也可以推迟 {count} 天。",
        "followups.dm.hint.deals.one": (
            "商机请用 `/deal` 结束或设置新的预计成交日期；推迟提醒 {count} 天不会改变预计成交日期（和预测）。"
        ),
        "followups.dm.hint.deals.other": (
            "商机请用 `/deal` 结束或设置新的预计成交日期；推迟提醒 {count} 天不会改变预计成交日期（和预测）。"
        ),
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
        "followups.line.deal_snoozed": ":zzz: 与 {customer} 的 *{deal}*：提醒推迟到 {date}；预计成交日期仍为 {close}。",
        "followups.line.deal_closed": ":lock: 与 {customer} 的 *{deal}* 已结束（{stage}）。",
        "followups.line.gone": ":grey_question: 这个客户或商机已不存在。",
        "followups.line.never": "从未",
        "followups.line.not_set": "未设置",
        "followups.button.done": "完成",
        "followups.button.snooze.one": "推迟 {count} 天",
        "followups.button.snooze.other": "推迟 {count} 天",
        "followups.button.open": "打开",
        "followups.error.not_found": "这个客户或商机在本工作区已不存在。",
        "followups.error.not_owner": "只有负责人或经理可以这样做。",
    },
}
