"""Messages of `/idea`: the idea box, its cards, votes, statuses and the top ideas."""

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "ideas.summary": "the idea box, and the month's top ideas",
        "ideas.usage": (
            "*Share ideas with `/idea`:*\n"
            "• `/idea Share call recordings in #wins` posts your idea to {channel} for the team to upvote\n"
            "• `/idea top` lists this month's most upvoted ideas; `/idea top 2026-11` another month's\n"
            "Managers set an idea's status (new, planned, done) on its card."
        ),
        "ideas.usage.here": "this channel",
        "ideas.error.empty": "Write your idea after the command, for example `/idea Share call recordings in #wins`.",
        "ideas.error.too_long": "That idea is {length} characters long; keep it to {limit}.",
        "ideas.error.bad_month": "`{month}` is not a month: write it like `2026-11`.",
        "ideas.error.gone": "That idea no longer exists.",
        "ideas.error.bad_status": "`{status}` is not a status. Use one of: {statuses}.",
        "ideas.posted": "Thanks! Your idea is on the board in <#{channel}>.",
        "ideas.already_posted": "That idea was already posted.",
        "ideas.card.text": ":bulb: Idea from {author}: {text}",
        "ideas.card.title": ":bulb: *Idea* from {author}",
        "ideas.card.status": "Status: *{status}*",
        "ideas.card.votes.one": "{count} upvote",
        "ideas.card.votes.other": "{count} upvotes",
        "ideas.button.upvote": ":thumbsup: Upvote ({count})",
        "ideas.status.placeholder": "Set status",
        "ideas.status.new": "New",
        "ideas.status.planned": "Planned",
        "ideas.status.done": "Done",
        "ideas.top.title": "Top ideas, {month}",
        "ideas.top.line": "{rank}. *{votes}* · {text} · by {author} · _{status}_",
        "ideas.top.none": "No ideas were shared in {month}.",
    },
    "zh": {
        "ideas.summary": "创意箱，以及本月最佳创意",
        "ideas.usage": (
            "*用 `/idea` 分享想法：*\n"
            "• `/idea 在 #wins 分享通话录音` 会把你的想法发到 {channel}，供团队点赞\n"
            "• `/idea top` 列出本月点赞最多的想法；`/idea top 2026-11` 查看其他月份\n"
            "经理可以在想法卡片上设置状态（新建、已计划、已完成）。"
        ),
        "ideas.usage.here": "当前频道",
        "ideas.error.empty": "请在命令后写下你的想法，例如 `/idea 在 #wins 分享通话录音`。",
        "ideas.error.too_long": "这个想法有 {length} 个字符，请控制在 {limit} 个以内。",
        "ideas.error.bad_month": "`{month}` 不是有效的月份，请写成 `2026-11` 这样的格式。",
        "ideas.error.gone": "这个想法已不存在。",
        "ideas.error.bad_status": "`{status}` 不是有效状态。可用状态：{statuses}。",
        "ideas.posted": "谢谢！你的想法已发布在 <#{channel}>。",
        "ideas.already_posted": "这个想法已经发布过了。",
        "ideas.card.text": ":bulb: {author} 的想法：{text}",
        "ideas.card.title": ":bulb: {author} 的*想法*",
        "ideas.card.status": "状态：*{status}*",
        "ideas.card.votes.one": "{count} 个赞",
        "ideas.card.votes.other": "{count} 个赞",
        "ideas.button.upvote": ":thumbsup: 点赞（{count}）",
        "ideas.status.placeholder": "设置状态",
        "ideas.status.new": "新建",
        "ideas.status.planned": "已计划",
        "ideas.status.done": "已完成",
        "ideas.top.title": "热门想法，{month}",
        "ideas.top.line": "{rank}. *{votes}* · {text} · 提出者 {author} · _{status}_",
        "ideas.top.none": "{month} 没有人分享想法。",
    },
}
