"""Messages of `/kudos`, reaction kudos and the kudos settings."""

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "kudos.usage": (
            "*Thank your peers with `/kudos`:*\n"
            "• `/kudos @ana @li for the Acme demo #teamwork` gives kudos, with optional value tags\n"
            "• `/kudos` opens a form\n"
            "• react to a message with :{emoji}: to thank its author\n"
            "• `/kudos stats [week|month|quarter|year|all]` shows your kudos\n"
            "Values: {values}. You can give {allowance} kudos a day."
        ),
        "kudos.error.no_receivers": "Mention who you are thanking, for example `/kudos @ana for the demo`.",
        "kudos.error.group": "Kudos go to people, not groups: mention each person.",
        "kudos.error.unknown_user": "I can't find <@{user}> in this workspace.",
        "kudos.error.self": "Kudos are for others; you can't give them to yourself.",
        "kudos.error.bot": "<@{user}> is a bot; kudos are for people.",
        "kudos.error.deleted": "<@{user}> is no longer in this workspace.",
        "kudos.error.empty_message": "Say what you are thanking them for, for example `/kudos @ana for the Acme demo`.",
        "kudos.error.too_long": "That message is too long (at most {limit} characters).",
        "kudos.error.unknown_value": "`#{value}` is not one of the team's values: {values}.",
        "kudos.error.value_required": "Tag one of the team's values: {values}.",
        "kudos.error.allowance": "You have {left} of your {limit} kudos left today; they reset at midnight your time, in {resets_in}. Nothing was sent.",
        "kudos.error.gone": "Those kudos were withdrawn.",
        "kudos.error.own_give": "These kudos are already from you.",
        "kudos.error.metoo_receiver": "You are one of the people being thanked, so you can't join in.",
        "kudos.error.not_giver": "Only the person who gave these kudos can undo them.",
        "kudos.error.undo_expired": "Kudos can only be undone within {minutes} minutes.",
        "kudos.error.bad_period": "`{period}` is not a period. Use one of: {periods}.",
        "kudos.sent": "Kudos sent to {receivers}. You have {left} left today.",
        "kudos.already_sent": "Those kudos were already sent. You have {left} left today.",
        "kudos.metoo_added": "You joined in. You have {left} kudos left today.",
        "kudos.undone": "Your kudos were withdrawn.",
        "kudos.card.text": ":clap: {giver} gave kudos to {receivers}: {message}",
        "kudos.card.values": "Values: {values}",
        "kudos.card.also": "Also from {people}",
        "kudos.card.withdrawn": "~Kudos withdrawn by {giver}.~",
        "kudos.button.metoo": "Me too",
        "kudos.button.undo": "Undo",
        "kudos.reaction.reason": "for this message: “{text}”",
        "kudos.reaction.no_text": "for a message they posted",
        "kudos.stats.title": "Your kudos ({period})",
        "kudos.stats.line": "Received: *{received}* · Given: *{given}*",
        "kudos.stats.values": "By value: {values}",
        "kudos.stats.none": "No value tags yet.",
        "kudos.period.week": "this week",
        "kudos.period.month": "this month",
        "kudos.period.quarter": "this quarter",
        "kudos.period.year": "this year",
        "kudos.period.all": "all time",
        "modal.kudos.title": "Give kudos",
        "modal.kudos.submit": "Send",
        "modal.kudos.receivers": "Who are you thanking?",
        "modal.kudos.message": "What for?",
        "modal.kudos.value": "Value",
        "settings.kudos.shown": "*Kudos settings*\nEmoji: :{emoji}: · Daily allowance: {allowance} · Value required: {required}\nValues: {values}",
        "settings.kudos.saved": "Saved. {summary}",
        "settings.kudos.usage": (
            "• `/dealbell values` · `/dealbell values add <name>` · `/dealbell values remove <name>`\n"
            "• `/dealbell kudos emoji :tada:` · `/dealbell kudos allowance 5` · `/dealbell kudos value-required on|off`"
        ),
        "settings.kudos.bad_number": "The allowance must be a whole number from 1 to 100.",
        "settings.kudos.bad_emoji": "Give an emoji name such as `:clap:`.",
        "settings.kudos.bad_value": "A value is one word of letters, digits and dashes, such as `customer-first`.",
        "settings.yes": "yes",
        "settings.no": "no",
    },
    "zh": {
        "kudos.usage": (
            "*用 `/kudos` 感谢同事：*\n"
            "• `/kudos @ana @li 感谢 Acme 演示 #teamwork` 送出点赞，可带价值观标签\n"
            "• `/kudos` 打开表单\n"
            "• 对一条消息添加 :{emoji}: 表情，即可感谢它的作者\n"
            "• `/kudos stats [week|month|quarter|year|all]` 查看你的点赞\n"
            "价值观：{values}。你每天可以送出 {allowance} 个点赞。"
        ),
        "kudos.error.no_receivers": "请 @ 你要感谢的人，例如 `/kudos @ana 感谢演示`。",
        "kudos.error.group": "点赞只能送给个人，不能送给用户组：请逐个 @ 每个人。",
        "kudos.error.unknown_user": "在本工作区找不到 <@{user}>。",
        "kudos.error.self": "点赞是送给别人的，不能送给自己。",
        "kudos.error.bot": "<@{user}> 是机器人，点赞只送给人。",
        "kudos.error.deleted": "<@{user}> 已不在本工作区。",
        "kudos.error.empty_message": "请写明感谢的原因，例如 `/kudos @ana 感谢 Acme 演示`。",
        "kudos.error.too_long": "内容太长（最多 {limit} 个字符）。",
        "kudos.error.unknown_value": "`#{value}` 不是团队的价值观：{values}。",
        "kudos.error.value_required": "请标注一个团队价值观：{values}。",
        "kudos.error.allowance": "你今天还剩 {left}/{limit} 个点赞；它们在你当地时间午夜重置，还有 {resets_in}。本次没有发送。",
        "kudos.error.gone": "这些点赞已被撤回。",
        "kudos.error.own_give": "这些点赞本来就是你送的。",
        "kudos.error.metoo_receiver": "你是被感谢的人之一，不能加入。",
        "kudos.error.not_giver": "只有送出点赞的人可以撤回。",
        "kudos.error.undo_expired": "点赞只能在 {minutes} 分钟内撤回。",
        "kudos.error.bad_period": "`{period}` 不是时间段。可用：{periods}。",
        "kudos.sent": "已向 {receivers} 送出点赞。你今天还剩 {left} 个。",
        "kudos.already_sent": "这些点赞已经送出过了。你今天还剩 {left} 个。",
        "kudos.metoo_added": "你已加入点赞。你今天还剩 {left} 个。",
        "kudos.undone": "你的点赞已撤回。",
        "kudos.card.text": ":clap: {giver} 为 {receivers} 点赞：{message}",
        "kudos.card.values": "价值观：{values}",
        "kudos.card.also": "一起点赞的还有 {people}",
        "kudos.card.withdrawn": "~{giver} 撤回了点赞。~",
        "kudos.button.metoo": "我也点赞",
        "kudos.button.undo": "撤回",
        "kudos.reaction.reason": "因为这条消息：“{text}”",
        "kudos.reaction.no_text": "因为他们发的一条消息",
        "kudos.stats.title": "你的点赞（{period}）",
        "kudos.stats.line": "收到：*{received}* · 送出：*{given}*",
        "kudos.stats.values": "按价值观：{values}",
        "kudos.stats.none": "还没有价值观标签。",
        "kudos.period.week": "本周",
        "kudos.period.month": "本月",
        "kudos.period.quarter": "本季度",
        "kudos.period.year": "今年",
        "kudos.period.all": "全部",
        "modal.kudos.title": "送出点赞",
        "modal.kudos.submit": "发送",
        "modal.kudos.receivers": "你要感谢谁？",
        "modal.kudos.message": "因为什么？",
        "modal.kudos.value": "价值观",
        "settings.kudos.shown": "*点赞设置*\n表情：:{emoji}: · 每日额度：{allowance} · 必须标注价值观：{required}\n价值观：{values}",
        "settings.kudos.saved": "已保存。{summary}",
        "settings.kudos.usage": (
            "• `/dealbell values` · `/dealbell values add <名称>` · `/dealbell values remove <名称>`\n"
            "• `/dealbell kudos emoji :tada:` · `/dealbell kudos allowance 5` · `/dealbell kudos value-required on|off`"
        ),
        "settings.kudos.bad_number": "额度必须是 1 到 100 之间的整数。",
        "settings.kudos.bad_emoji": "请给出表情名称，例如 `:clap:`。",
        "settings.kudos.bad_value": "价值观是由字母、数字和连字符组成的一个词，例如 `customer-first`。",
        "settings.yes": "是",
        "settings.no": "否",
    },
}
