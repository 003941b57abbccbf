"""Messages shared by every feature: errors, settings, help, App Home."""

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "error.try_again": "Something went wrong on our side, and nothing was saved. Please try again in a moment.",
        "error.after_ack": "Something went wrong while finishing that. Please check the result and try again in a moment.",
        "error.database_unavailable": "dealbell can't reach its database right now, so nothing was saved. Please try again in a minute.",
        "error.busy": "dealbell is busy right now, so nothing was saved. Please try again in a moment.",
        "error.not_in_channel": "I couldn't post in <#{channel}>: invite me there with `/invite @dealbell`.",
        "modal.close": "Cancel",
        "admin.usage": (
            "*dealbell commands*\n"
            "• `/deal` log deals and wins (`/deal help` for the syntax)\n"
            "• `/kudos @ana for the demo #teamwork` thank a peer · `/feedback @li …` private feedback\n"
            '• `/customer Acme` · `/customer add Acme segment:potential` · `/log call Acme "notes"`\n'
            '• `/lead new "Globex" source:web` a new lead for the least-loaded rep\n'
            "• `/team` roster, roles, duties and workload · `/intel Globex` competitors\n"
            "• `/idea …` the idea box · `/training` sessions and team events\n"
            "• `/dealbell channels wins|kudos|leaderboard|ideas|team #channel` where posts go (admins)\n"
            "• `/dealbell values`, `/dealbell kudos`, `/dealbell cadence` team settings (managers)\n"
            "• `/dealbell settings` all workspace settings in one form (admins and managers)\n"
            "• `/dealbell language zh-CN|en|auto` the language dealbell uses with you\n"
            "• `/dealbell export deals|kudos|activities [month|quarter|year|all]` a CSV in your DM (managers)\n"
            "• `/dealbell help` this list"
        ),
        "admin.channels.set": "{kind} posts now go to <#{channel}>.",
        "admin.channels.list": "*Channels*\n{lines}",
        "admin.channels.line": "• {kind}: {channel}",
        "admin.channels.unset": "not set",
        "admin.channels.bad_kind": "`{kind}` is not a channel setting. Use one of: {kinds}.",
        "admin.channels.bad_channel": "Name a channel, for example `/dealbell channels wins #wins`.",
        "admin.error.not_admin": "Only workspace admins and owners can change dealbell's settings.",
        "admin.error.unknown": "I don't know `{word}`.",
        "settings.cadence.shown": "*Follow-up cadence* (days between contacts): {cadences}\nChange: `/dealbell cadence vip 7` (managers).",
        "settings.cadence.bad": "Use `/dealbell cadence <segment> <days>` with a segment of {segments} and 1–365 days.",
        "settings.cadence.not_manager": "Only managers and workspace admins can change the follow-up cadence.",
        "home.title": "Welcome to dealbell",
        "home.intro": "Log wins in seconds, thank your peers and keep the team's rituals in Slack.",
    },
    "zh": {
        "error.try_again": "我们这边出了点问题，什么都没有保存。请稍后再试。",
        "error.after_ack": "完成操作时出了点问题。请检查结果，稍后再试。",
        "error.database_unavailable": "dealbell 暂时连不上数据库，什么都没有保存。请过一分钟再试。",
        "error.busy": "dealbell 现在太忙，什么都没有保存。请稍后再试。",
        "error.not_in_channel": "我无法在 <#{channel}> 发消息：请用 `/invite @dealbell` 邀请我。",
        "modal.close": "取消",
        "admin.usage": (
            "*dealbell 命令*\n"
            "• `/deal` 记录商机和赢单（`/deal help` 查看写法）\n"
            "• `/kudos @ana 感谢演示 #teamwork` 感谢同事 · `/feedback @li …` 私下反馈\n"
            '• `/customer Acme` · `/customer add Acme segment:potential` · `/log call Acme "记录"`\n'
            '• `/lead new "Globex" source:web` 新线索，分给负载最低的销售\n'
            "• `/team` 团队名单、角色、职责和负载 · `/intel Globex` 竞争对手\n"
            "• `/idea …` 创意箱 · `/training` 培训和团队活动\n"
            "• `/dealbell channels wins|kudos|leaderboard|ideas|team #频道` 设置消息发往的频道（管理员）\n"
            "• `/dealbell values`、`/dealbell kudos`、`/dealbell cadence` 团队设置（经理）\n"
            "• `/dealbell settings` 在一个表单中修改工作区设置（管理员和经理）\n"
            "• `/dealbell language zh-CN|en|auto` dealbell 与你交流使用的语言\n"
            "• `/dealbell export deals|kudos|activities [month|quarter|year|all]` 导出 CSV 到你的私信（经理）\n"
            "• `/dealbell help` 显示本列表"
        ),
        "admin.channels.set": "{kind} 消息将发到 <#{channel}>。",
        "admin.channels.list": "*频道*\n{lines}",
        "admin.channels.line": "• {kind}：{channel}",
        "admin.channels.unset": "未设置",
        "admin.channels.bad_kind": "`{kind}` 不是频道设置。可用：{kinds}。",
        "admin.channels.bad_channel": "请指定频道，例如 `/dealbell channels wins #wins`。",
        "admin.error.not_admin": "只有工作区管理员和所有者可以修改 dealbell 的设置。",
        "admin.error.unknown": "我不认识 `{word}`。",
        "settings.cadence.shown": "*跟进频率*（两次联系之间的天数）：{cadences}\n修改：`/dealbell cadence vip 7`（经理）。",
        "settings.cadence.bad": "请用 `/dealbell cadence <客户类型> <天数>`，客户类型为 {segments}，天数 1–365。",
        "settings.cadence.not_manager": "只有经理和工作区管理员可以修改跟进频率。",
        "home.title": "欢迎使用 dealbell",
        "home.intro": "几秒钟记录赢单，感谢同事，让团队的例行工作都在 Slack 里完成。",
    },
}
