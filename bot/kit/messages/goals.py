"""Messages of `/goal` and `/scorecard`."""

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "goals.summary": "individual and team goals with progress",
        "goals.scorecard.summary": "a rep's assessment for a period",
        "goals.usage": (
            "*Goals with `/goal`:*\n"
            "• `/goal` shows your goals and the team's for this month, quarter and year\n"
            "• `/goal @li` shows someone's goals (managers)\n"
            "• `/goal set @li revenue 100k month` · `/goal set team deals 30 quarter` · "
            "`/goal set team revenue 2m year` sets a goal; setting it again replaces it (managers)\n"
            "Metrics: {metrics}. Periods: {periods}.\n"
            "*Scorecards with `/scorecard`:*\n"
            "• `/scorecard [month|quarter|year]` shows your figures\n"
            "• `/scorecard @li [period]` and `/scorecard team [period]` (managers)"
        ),
        "goals.error.unknown_words": "I don't understand `{words}`.",
        "goals.error.no_subject": "Say whose goal it is, `@person` or `team`, for example `/goal set @li revenue 100k month`.",
        "goals.error.no_metric": "Say which metric the goal is for: {metrics}.",
        "goals.error.bad_metric": "`{metric}` is not a goal metric. Use one of: {metrics}.",
        "goals.error.no_target": "Give the target, for example `/goal set team deals 30 quarter`.",
        "goals.error.bad_amount": "`{amount}` is not an amount; write it like `100k`, `2m` or `EUR 5000`.",
        "goals.error.bad_count": "The target must be a whole number from 1 to {limit}.",
        "goals.error.bad_period": "`{period}` is not a period. Use one of: {periods}.",
        "goals.error.unknown_user": "I can't find <@{user}> in this workspace.",
        "goals.error.bot": "<@{user}> is a bot; goals are for people.",
        "goals.error.deleted": "<@{user}> is no longer in this workspace.",
        "goals.set": "Goal set: {subject} · {metric} · {target} for {period}.",
        "goals.replaced": "Goal updated: {subject} · {metric} · now {target} for {period}.",
        "goals.team": "the team",
        "goals.metric.revenue": "Revenue won",
        "goals.metric.deals": "Deals won",
        "goals.metric.activities": "Activities logged",
        "goals.metric.kudos": "Kudos received",
        "goals.period.month": "this month",
        "goals.period.quarter": "this quarter",
        "goals.period.year": "this year",
        "goals.title.mine": "Your goals",
        "goals.title.theirs": "Goals of {user}",
        "goals.vision": ":telescope: *Team vision {year}:* {target} in revenue",
        "goals.section.team": "*Team goals*",
        "goals.section.mine": "*Your goals*",
        "goals.section.theirs": "*Goals of {user}*",
        "goals.none": "No goals for this month, quarter or year yet.",
        "goals.none.person": "No personal goals yet.",
        "goals.line": "*{metric}* · {period}\n{progress}",
        "goals.progress": "`{bar}` {percent} · {actual} of {target} · per workday left: {per_day}",
        "goals.dash": "—",
        "goals.scorecard.title": "Scorecard of {user} · {period} ({code})",
        "goals.scorecard.team_title": "Team scorecards · {period} ({code})",
        "goals.scorecard.revenue": "*Revenue won*\n{revenue}",
        "goals.scorecard.revenue_goal": "*Revenue won*\n{revenue} of {target} goal ({percent})",
        "goals.scorecard.deals": "*Deals won*\n{won} (lost {lost})",
        "goals.scorecard.win_rate": "*Win rate*\n{rate}",
        "goals.scorecard.activities": "*Activities logged*\n{count}",
        "goals.scorecard.csat": "*Customer satisfaction*\n{csat}",
        "goals.scorecard.kudos": "*Kudos received*\n{count}",
        "goals.scorecard.feedback": "*Feedback received*\n{count}",
        "goals.scorecard.nobody": "No reps or account managers yet; set roles with `/team role @li rep`.",
        "goals.scorecard.rank": "*{rank}.* {user}",
        "goals.scorecard.more": "…and {count} more: the CSV file in your DM has everyone.",
        "goals.scorecard.file.title": "dealbell team scorecards · {period} ({code})",
        "goals.scorecard.file.comment": "The team scorecards of {period} ({code}), ranked, as a CSV file.",
    },
    "zh": {
        "goals.summary": "个人和团队目标及进度",
        "goals.scorecard.summary": "销售在一段时间内的评估",
        "goals.usage": (
            "*用 `/goal` 管理目标：*\n"
            "• `/goal` 查看你和团队本月、本季度、今年的目标\n"
            "• `/goal @li` 查看某人的目标（经理）\n"
            "• `/goal set @li revenue 100k month` · `/goal set team deals 30 quarter` · "
            "`/goal set team revenue 2m year` 设定目标；再次设定会替换原目标（经理）\n"
            "指标：{metrics}。周期：{periods}。\n"
            "*用 `/scorecard` 查看绩效卡：*\n"
            "• `/scorecard [month|quarter|year]` 查看你的数据\n"
            "• `/scorecard @li [周期]` 和 `/scorecard team [周期]`（经理）"
        ),
        "goals.error.unknown_words": "无法理解 `{words}`。",
        "goals.error.no_subject": "请说明是谁的目标：`@某人` 或 `team`，例如 `/goal set @li revenue 100k month`。",
        "goals.error.no_metric": "请说明目标的指标：{metrics}。",
        "goals.error.bad_metric": "`{metric}` 不是目标指标。可用：{metrics}。",
        "goals.error.no_target": "请给出目标值，例如 `/goal set team deals 30 quarter`。",
        "goals.error.bad_amount": "`{amount}` 不是有效金额；请写成 `100k`、`2m` 或 `EUR 5000`。",
        "goals.error.bad_count": "目标必须是 1 到 {limit} 之间的整数。",
        "goals.error.bad_period": "`{period}` 不是周期。可用：{periods}。",
        "goals.error.unknown_user": "在本工作区找不到 <@{user}>。",
        "goals.error.bot": "<@{user}> 是机器人，目标只为人设定。",
        "goals.error.deleted": "<@{user}> 已不在本工作区。",
        "goals.set": "已设定目标：{subject} · {metric} · {period} {target}。",
        "goals.replaced": "已更新目标：{subject} · {metric} · {period} 改为 {target}。",
        "goals.team": "团队",
        "goals.metric.revenue": "成交金额",
        "goals.metric.deals": "赢单数",
        "goals.metric.activities": "客户活动数",
        "goals.metric.kudos": "收到的点赞",
        "goals.period.month": "本月",
        "goals.period.quarter": "本季度",
        "goals.period.year": "今年",
        "goals.title.mine": "你的目标",
        "goals.title.theirs": "{user} 的目标",
        "goals.vision": ":telescope: *{year} 年团队愿景：* 成交金额 {target}",
        "goals.section.team": "*团队目标*",
        "goals.section.mine": "*你的目标*",
        "goals.section.theirs": "*{user} 的目标*",
        "goals.none": "本月、本季度和今年还没有目标。",
        "goals.none.person": "还没有个人目标。",
        "goals.line": "*{metric}* · {period}\n{progress}",
        "goals.progress": "`{bar}` {percent} · {actual} / {target} · 剩余每个工作日需：{per_day}",
        "goals.dash": "—",
        "goals.scorecard.title": "{user} 的绩效卡 · {period}（{code}）",
        "goals.scorecard.team_title": "团队绩效卡 · {period}（{code}）",
        "goals.scorecard.revenue": "*成交金额*\n{revenue}",
        "goals.scorecard.revenue_goal": "*成交金额*\n{revenue}，目标 {target}（{percent}）",
        "goals.scorecard.deals": "*赢单数*\n{won}（输单 {lost}）",
        "goals.scorecard.win_rate": "*赢单率*\n{rate}",
        "goals.scorecard.activities": "*客户活动数*\n{count}",
        "goals.scorecard.csat": "*客户满意度*\n{csat}",
        "goals.scorecard.kudos": "*收到的点赞*\n{count}",
        "goals.scorecard.feedback": "*收到的反馈*\n{count}",
        "goals.scorecard.nobody": "还没有销售或客户经理；请用 `/team role @li rep` 设置角色。",
        "goals.scorecard.rank": "*{rank}.* {user}",
        "goals.scorecard.more": "……还有 {count} 人：私信中的 CSV 文件包含所有人。",
        "goals.scorecard.file.title": "dealbell 团队绩效卡 · {period}（{code}）",
        "goals.scorecard.file.comment": "{period}（{code}）的团队绩效卡，已排名，CSV 文件。",
    },
}
