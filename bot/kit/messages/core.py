"""Messages shared by every feature: errors, settings, help, App Home."""

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "admin.summary": "settings: `channels wins|kudos|leaderboard|ideas|team #channel` (admins), `values`, `kudos`, `cadence` (managers), `settings` (one form), `language zh-CN|en|auto`, `export deals|kudos|activities` (managers), `privacy`, `my-data`, `forget @person`, `retention MONTHS|off`, `api tokens`, `webhooks`, `audit [days] [csv]` (admins), `help` (this list)",
        "admin.help.title": "*dealbell commands* (`/<command> help` shows each one's syntax)",
        "admin.help.routed": "Every command also works as `/dealbell <command> …`, e.g. `/dealbell log call Acme`.",
        "error.try_again": "Something went wrong on our side, and nothing was saved. Please try again in a moment.",
        "error.after_ack": "Something went wrong while finishing that. Please check the result and try again in a moment.",
        "error.database_unavailable": "dealbell can't reach its database right now, so nothing was saved. Please try again in a minute.",
        "error.busy": "dealbell is busy right now, so nothing was saved. Please try again in a moment.",
        "error.not_in_channel": "I couldn't post in <#{channel}>: invite me there with `/invite @dealbell`.",
        "modal.close": "Cancel",
        "mentions.error.not_found": "I couldn't find {name} in this workspace — pick them from the @ menu.",
        "mentions.error.ambiguous": "{name} could be {people}: pick the one you mean from the @ menu.",
        "count.points.one": "{count} point",
        "count.points.other": "{count} points",
        "count.days.one": "{count} day",
        "count.days.other": "{count} days",
        "dates.error.past": (
            "That date ({date}) is in the past; today is {today}. A date that plans ahead (a next follow-up, "
            "an open deal's expected close) is today or later in your time zone. Nothing was saved."
        ),
        "admin.channels.set": "{kind} posts now go to <#{channel}>.",
        "admin.channels.list": "*Channels*\n{lines}",
        "admin.channels.line": "• {kind}: {channel}",
        "admin.channels.unset": "not set",
        "admin.channels.bad_kind": "`{kind}` is not a channel setting. Use one of: {kinds}.",
        "admin.channels.bad_channel": "Name a channel, for example `/dealbell channels wins #wins`.",
        "admin.error.unknown": "I don't know `{word}`.",
        # storage.authority: one message per rule
        "authority.error.managers_only": "Only managers and workspace admins can do that. Nothing was changed.",
        "authority.error.admins_only": "Only workspace admins and owners can do that. Nothing was changed.",
        "authority.error.others_figures": (
            "Only managers and workspace admins can see someone else's figures; leave out the name to see yours."
        ),
        "authority.error.self_award": (
            "You can't award yourself: another manager or an admin must do it. Nothing was changed."
        ),
        "authority.error.self_award_alone": (
            "You can't award yourself, and you are the only manager in this workspace: another manager or an"
            " admin must do it (an admin makes a manager with `/team role @someone manager`). Nothing was changed."
        ),
        "authority.error.self_approval": (
            "You can't approve your own redemption: another manager or an admin must. Nothing was changed."
        ),
        "authority.error.self_approval_alone": (
            "You can't approve your own redemption, and you are the only manager in this workspace: another"
            " manager or an admin must (an admin makes a manager with `/team role @someone manager`)."
            " Nothing was changed."
        ),
        "settings.cadence.shown": "*Follow-up cadence* (days between contacts): {cadences}\nChange: `/dealbell cadence vip 7` (managers).",
        "settings.cadence.bad": "Use `/dealbell cadence <segment> <days>` with a segment of {segments} and 1–365 days.",
        "home.title": "Welcome to dealbell",
        "home.intro": "Log wins in seconds, thank your peers and keep the team's rituals in Slack.",
    },
    "zh": {
        "admin.summary": "设置：`channels wins|kudos|leaderboard|ideas|team #频道`（管理员）、`values`、`kudos`、`cadence`（经理）、`settings`（一个表单）、`language zh-CN|en|auto`、`export deals|kudos|activities`（经理）、`privacy`、`my-data`、`forget @成员`、`retention 月数|off`、`api tokens`、`webhooks`、`audit [天数] [csv]`（管理员）、`help`（本列表）",
        "admin.help.title": "*dealbell 命令*（`/<命令> help` 查看各命令的写法）",
        "admin.help.routed": "每个命令也可以写成 `/dealbell <命令> …`，例如 `/dealbell log call Acme`。",
        "error.try_again": "我们这边出了点问题，什么都没有保存。请稍后再试。",
        "error.after_ack": "完成操作时出了点问题。请检查结果，稍后再试。",
        "error.database_unavailable": "dealbell 暂时连不上数据库，什么都没有保存。请过一分钟再试。",
        "error.busy": "dealbell 现在太忙，什么都没有保存。请稍后再试。",
        "error.not_in_channel": "我无法在 <#{channel}> 发消息：请用 `/invite @dealbell` 邀请我。",
        "modal.close": "取消",
        "mentions.error.not_found": "在本工作区找不到 {name}——请从 @ 菜单中选择。",
        "mentions.error.ambiguous": "{name} 可能是 {people}：请从 @ 菜单中选择你指的人。",
        "count.points.one": "{count} 积分",
        "count.points.other": "{count} 积分",
        "count.days.one": "{count} 天",
        "count.days.other": "{count} 天",
        "dates.error.past": (
            "这个日期（{date}）已经过去；今天是 {today}。安排将来的日期（下次跟进、进行中商机的预计成交日期）"
            "须是你所在时区的今天或以后。未保存任何内容。"
        ),
        "admin.channels.set": "{kind} 消息将发到 <#{channel}>。",
        "admin.channels.list": "*频道*\n{lines}",
        "admin.channels.line": "• {kind}：{channel}",
        "admin.channels.unset": "未设置",
        "admin.channels.bad_kind": "`{kind}` 不是频道设置。可用：{kinds}。",
        "admin.channels.bad_channel": "请指定频道，例如 `/dealbell channels wins #wins`。",
        "admin.error.unknown": "我不认识 `{word}`。",
        "authority.error.managers_only": "只有经理和工作区管理员可以这样做。未做任何更改。",
        "authority.error.admins_only": "只有工作区管理员和所有者可以这样做。未做任何更改。",
        "authority.error.others_figures": "只有经理和工作区管理员可以查看他人的数据；不写名字即可查看你自己的。",
        "authority.error.self_award": "你不能给自己颁奖：须由另一位经理或管理员来做。未做任何更改。",
        "authority.error.self_award_alone": (
            "你不能给自己颁奖，而你是本工作区唯一的经理：须由另一位经理或管理员来做"
            "（管理员可用 `/team role @某人 manager` 任命经理）。未做任何更改。"
        ),
        "authority.error.self_approval": "你不能批准自己的兑换：须由另一位经理或管理员批准。未做任何更改。",
        "authority.error.self_approval_alone": (
            "你不能批准自己的兑换，而你是本工作区唯一的经理：须由另一位经理或管理员批准"
            "（管理员可用 `/team role @某人 manager` 任命经理）。未做任何更改。"
        ),
        "settings.cadence.shown": "*跟进频率*（两次联系之间的天数）：{cadences}\n修改：`/dealbell cadence vip 7`（经理）。",
        "settings.cadence.bad": "请用 `/dealbell cadence <客户类型> <天数>`，客户类型为 {segments}，天数 1–365。",
        "home.title": "欢迎使用 dealbell",
        "home.intro": "几秒钟记录赢单，感谢同事，让团队的例行工作都在 Slack 里完成。",
    },
}
