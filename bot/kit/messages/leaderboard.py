"""Messages of `/leaderboard` and the weekly leaderboard post."""

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "leaderboard.summary": "who leads this week, month, quarter or year",
        "leaderboard.usage": (
            "*See who is leading with `/leaderboard`:*\n"
            "• `/leaderboard` this week's revenue, deals and kudos\n"
            "• `/leaderboard [week|month|quarter|year] [revenue|deals|kudos|activities]` "
            "one period and, optionally, one metric, in your time zone\n"
            "Ties share a rank; arrows compare with the previous period's final ranks."
        ),
        "leaderboard.error.unknown_word": "`{word}` is neither a period (week, month, quarter, year) nor a metric (revenue, deals, kudos, activities).",
        "leaderboard.error.two_periods": "Choose one period, not both `{first}` and `{second}`.",
        "leaderboard.error.two_metrics": "Choose one metric, not both `{first}` and `{second}`.",
        "leaderboard.title": "Leaderboard · {period}",
        "leaderboard.weekly.title": "Weekly leaderboard · {start} – {end}",
        "leaderboard.weekly.text": "Weekly leaderboard for {start} – {end}",
        "leaderboard.period.week": "this week",
        "leaderboard.period.month": "this month",
        "leaderboard.period.quarter": "this quarter",
        "leaderboard.period.year": "this year",
        "leaderboard.previous.week": "last week",
        "leaderboard.previous.month": "last month",
        "leaderboard.previous.quarter": "last quarter",
        "leaderboard.previous.year": "last year",
        "leaderboard.metric.revenue": ":moneybag: *Revenue won ({currency})*",
        "leaderboard.metric.deals": ":trophy: *Deals won*",
        "leaderboard.metric.kudos": ":clap: *Kudos received*",
        "leaderboard.metric.activities": ":telephone_receiver: *Activities logged*",
        "leaderboard.row": "*{rank}.* {who} · {value} {movement}",
        "leaderboard.move.up": "↑{places}",
        "leaderboard.move.down": "↓{places}",
        "leaderboard.move.new": "new",
        "leaderboard.move.same": "=",
        "leaderboard.empty": "Nobody yet.",
        "leaderboard.others": "Also won in {currency}: {rows}",
        "leaderboard.footer": "{start} – {end} ({zone}). Arrows compare with {previous}'s final ranks.",
    },
    "zh": {
        "leaderboard.summary": "本周、本月、本季度或本年的排行榜",
        "leaderboard.usage": (
            "*用 `/leaderboard` 查看谁在领先：*\n"
            "• `/leaderboard` 本周的成交金额、赢单数和点赞\n"
            "• `/leaderboard [week|month|quarter|year] [revenue|deals|kudos|activities]` "
            "一个时间段，可再选一个指标，按你的时区计算\n"
            "并列者名次相同；箭头与上一时间段的最终名次比较。"
        ),
        "leaderboard.error.unknown_word": "`{word}` 既不是时间段（week、month、quarter、year），也不是指标（revenue、deals、kudos、activities）。",
        "leaderboard.error.two_periods": "请只选一个时间段，不能同时选 `{first}` 和 `{second}`。",
        "leaderboard.error.two_metrics": "请只选一个指标，不能同时选 `{first}` 和 `{second}`。",
        "leaderboard.title": "排行榜 · {period}",
        "leaderboard.weekly.title": "每周排行榜 · {start} – {end}",
        "leaderboard.weekly.text": "{start} – {end} 的每周排行榜",
        "leaderboard.period.week": "本周",
        "leaderboard.period.month": "本月",
        "leaderboard.period.quarter": "本季度",
        "leaderboard.period.year": "今年",
        "leaderboard.previous.week": "上周",
        "leaderboard.previous.month": "上月",
        "leaderboard.previous.quarter": "上季度",
        "leaderboard.previous.year": "去年",
        "leaderboard.metric.revenue": ":moneybag: *成交金额（{currency}）*",
        "leaderboard.metric.deals": ":trophy: *赢单数*",
        "leaderboard.metric.kudos": ":clap: *收到的点赞*",
        "leaderboard.metric.activities": ":telephone_receiver: *客户活动数*",
        "leaderboard.row": "*{rank}.* {who} · {value} {movement}",
        "leaderboard.move.up": "↑{places}",
        "leaderboard.move.down": "↓{places}",
        "leaderboard.move.new": "新上榜",
        "leaderboard.move.same": "=",
        "leaderboard.empty": "暂无。",
        "leaderboard.others": "其他币种 {currency}：{rows}",
        "leaderboard.footer": "{start} – {end}（{zone}）。箭头与{previous}的最终名次比较。",
    },
}
