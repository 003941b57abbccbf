"""Messages of `/team` (roster, roles, duties, titles, workload) and the onboarding DM."""

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "team.summary": "the roster: roles, duties, titles and workload",
        "team.usage": (
            "*Your team with `/team`:*\n"
            "• `/team` shows the roster (only to you); `/team post` posts it here\n"
            "• `/team @li` shows one person's role, duties, title and time zone\n"
            "• `/team load` shows each rep's open deals, pipeline and overdue follow-ups\n"
            "• `/team role @li account-manager` sets a role: rep, manager, account-manager, after-sales, "
            "or your own one-word role (managers and admins; only admins make managers)\n"
            '• `/team duties @li "Owns enterprise renewals in APAC"` writes down what they own (`-` clears)\n'
            '• `/team title @li "Sales Champion"` gives an honorary title (`-` takes it away)'
        ),
        "team.error.unknown_verb": "I don't know `{word}`.",
        "team.error.card_extra": "To change something, use `/team role`, `/team duties` or `/team title`.",
        "team.error.no_member": "Mention who you mean, for example `/team {verb} @li …`.",
        "team.error.one_member": "One person at a time, please.",
        "team.error.no_role": "Name the role, for example `/team role @li account-manager`.",
        "team.error.bad_role": (
            "`{role}` can't be a role: use one word of letters, digits and dashes, "
            "at most {limit} characters (rep, manager, account-manager, after-sales, or your own)."
        ),
        "team.error.no_duties": 'Say what they own, for example `/team duties @li "Owns APAC renewals"` (`-` clears).',
        "team.error.no_title": 'Name the title, for example `/team title @li "Sales Champion"` (`-` takes it away).',
        "team.error.duties_too_long": "Duties can be at most {limit} characters. Nothing was changed.",
        "team.error.title_too_long": "A title can be at most {limit} characters. Nothing was changed.",
        "team.error.unknown_user": "I can't find <@{user}> in this workspace.",
        "team.error.unknown_member": "I can't find that person in this workspace.",
        "team.error.bot": "<@{user}> is a bot, not part of the team.",
        "team.error.deleted": "<@{user}> is no longer in this workspace.",
        "team.error.post_failed": "I couldn't post in this channel ({error}). Invite me with `/invite @dealbell` and try again.",
        "team.role.rep": "Rep",
        "team.role.manager": "Manager",
        "team.role.account-manager": "Account manager",
        "team.role.after-sales": "After-sales",
        "team.role_set": "{user} is now *{role}*.",
        "team.role_unchanged": "{user} already is *{role}*.",
        "team.duties_set": "Saved {user}'s duties: {duties}",
        "team.duties_cleared": "Cleared {user}'s duties.",
        "team.title_set": "{user} now holds the title *{title}*.",
        "team.title_cleared": "{user} no longer holds a title.",
        "team.unchanged": "Nothing to change: that is already so.",
        "team.roster.title": "The team ({count})",
        "team.roster.empty": "Nobody is on the roster yet: people appear once they use dealbell.",
        "team.roster.more": "…and {count} more: {people}",
        "team.roster.line": "*{who}* · {role}{title}",
        "team.roster.title_part": " · :trophy: _{title}_",
        "team.roster.zone": ":clock3: {zone}",
        "team.roster.no_duties": "_No duties written down yet._",
        "team.zone.unknown": "time zone not set",
        "team.card.title": "{name}",
        "team.card.role": "*Role*\n{role}",
        "team.card.honour": "*Title*\n{title}",
        "team.card.no_title": "none",
        "team.card.zone": "*Time zone*\n{zone}",
        "team.card.duties": "*Duties*\n{duties}",
        "team.load.title": "Team workload",
        "team.load.empty": "Nobody has the rep or account-manager role yet.",
        "team.load.line": "*{who}* · {role}\nOpen deals: *{deals}* · Pipeline: {pipeline} · Overdue follow-ups: *{overdue}*",
        "team.load.no_pipeline": "—",
        "team.load.note": "Overdue: customers they own whose next follow-up was before today, in their time zone.",
        "team.welcome.text": "Welcome to the team, {user}!",
        "team.welcome.intro": ":wave: *Welcome to the team, {user}!* I'm dealbell; I keep the sales team's rituals here in Slack.",
        "team.welcome.role": "Your role: *{role}*",
        "team.welcome.duties": "Your duties: {duties}",
        "team.welcome.no_role_details": "Your manager will write down your duties soon; see them any time with `/team @you`.",
        "team.welcome.commands": (
            "*The five commands you'll use most:*\n"
            "• `/deal` logs a deal or a win\n"
            "• `/kudos` thanks a teammate\n"
            "• `/log` records a call, meeting or demo with a customer\n"
            "• `/customer` adds or looks up a customer\n"
            "• `/team` shows who does what"
        ),
    },
    "zh": {
        "team.summary": "团队名单：角色、职责、头衔和负载",
        "team.usage": (
            "*用 `/team` 了解团队：*\n"
            "• `/team` 查看团队名单（仅你可见）；`/team post` 发到当前频道\n"
            "• `/team @li` 查看某人的角色、职责、称号和时区\n"
            "• `/team load` 查看每位销售的进行中交易、管道金额和逾期跟进\n"
            "• `/team role @li account-manager` 设置角色：rep、manager、account-manager、after-sales，"
            "或自定义的单个词（经理和管理员可设置；只有管理员能任命经理）\n"
            '• `/team duties @li "负责亚太区企业续约"` 写下职责（`-` 清除）\n'
            '• `/team title @li "销售冠军"` 授予荣誉称号（`-` 取消）'
        ),
        "team.error.unknown_verb": "我不认识 `{word}`。",
        "team.error.card_extra": "要修改信息，请用 `/team role`、`/team duties` 或 `/team title`。",
        "team.error.no_member": "请提及具体的人，例如 `/team {verb} @li …`。",
        "team.error.one_member": "一次只能设置一个人。",
        "team.error.no_role": "请写明角色，例如 `/team role @li account-manager`。",
        "team.error.bad_role": (
            "`{role}` 不能作为角色：请用一个由字母、数字和连字符组成的词，"
            "最多 {limit} 个字符（rep、manager、account-manager、after-sales 或自定义）。"
        ),
        "team.error.no_duties": '请写明职责，例如 `/team duties @li "负责亚太区续约"`（`-` 清除）。',
        "team.error.no_title": '请写明称号，例如 `/team title @li "销售冠军"`（`-` 取消）。',
        "team.error.duties_too_long": "职责最多 {limit} 个字符。未做任何修改。",
        "team.error.title_too_long": "称号最多 {limit} 个字符。未做任何修改。",
        "team.error.unknown_user": "在这个工作区找不到 <@{user}>。",
        "team.error.unknown_member": "在这个工作区找不到这个人。",
        "team.error.bot": "<@{user}> 是机器人，不是团队成员。",
        "team.error.deleted": "<@{user}> 已不在这个工作区。",
        "team.error.post_failed": "无法在这个频道发消息（{error}）。请用 `/invite @dealbell` 邀请我后再试。",
        "team.role.rep": "销售代表",
        "team.role.manager": "经理",
        "team.role.account-manager": "客户经理",
        "team.role.after-sales": "售后",
        "team.role_set": "{user} 现在的角色是 *{role}*。",
        "team.role_unchanged": "{user} 的角色已经是 *{role}*。",
        "team.duties_set": "已保存 {user} 的职责：{duties}",
        "team.duties_cleared": "已清除 {user} 的职责。",
        "team.title_set": "{user} 获得称号 *{title}*。",
        "team.title_cleared": "{user} 的称号已取消。",
        "team.unchanged": "无需修改：已经是这样了。",
        "team.roster.title": "团队（{count} 人）",
        "team.roster.empty": "名单里还没有人：成员使用 dealbell 后就会出现。",
        "team.roster.more": "……另有 {count} 人：{people}",
        "team.roster.line": "*{who}* · {role}{title}",
        "team.roster.title_part": " · :trophy: _{title}_",
        "team.roster.zone": ":clock3: {zone}",
        "team.roster.no_duties": "_尚未写明职责。_",
        "team.zone.unknown": "未设置时区",
        "team.card.title": "{name}",
        "team.card.role": "*角色*\n{role}",
        "team.card.honour": "*称号*\n{title}",
        "team.card.no_title": "无",
        "team.card.zone": "*时区*\n{zone}",
        "team.card.duties": "*职责*\n{duties}",
        "team.load.title": "团队工作量",
        "team.load.empty": "还没有人担任 rep 或 account-manager 角色。",
        "team.load.line": "*{who}* · {role}\n进行中交易：*{deals}* · 管道：{pipeline} · 逾期跟进：*{overdue}*",
        "team.load.no_pipeline": "—",
        "team.load.note": "逾期：其负责的客户中，下次跟进日期早于其所在时区今天的数量。",
        "team.welcome.text": "欢迎加入团队，{user}！",
        "team.welcome.intro": ":wave: *欢迎加入团队，{user}！* 我是 dealbell，在 Slack 里帮销售团队打理日常。",
        "team.welcome.role": "你的角色：*{role}*",
        "team.welcome.duties": "你的职责：{duties}",
        "team.welcome.no_role_details": "你的经理很快会写明你的职责；随时可以用 `/team @你自己` 查看。",
        "team.welcome.commands": (
            "*最常用的五个命令：*\n"
            "• `/deal` 记录交易或赢单\n"
            "• `/kudos` 感谢队友\n"
            "• `/log` 记录与客户的电话、会议或演示\n"
            "• `/customer` 添加或查询客户\n"
            "• `/team` 查看谁负责什么"
        ),
    },
}
