"""Messages of `/dealbell privacy`, `/dealbell my-data`, `/dealbell forget` and `/dealbell retention`."""

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "privacy.modal.title": "Your privacy",
        "privacy.modal.save": "Save",
        "privacy.modal.close": "Cancel",
        "privacy.modal.intro": (
            "Choose what dealbell shows of you. Managers' digests and your own Home always count "
            "everything you do."
        ),
        "privacy.modal.label": "Keep private",
        "privacy.modal.hidden_from_boards": "Leave me out of public leaderboards and weekly posts",
        "privacy.modal.kudos_by_dm": "Tell me of kudos to me by DM instead of in a channel",
        "privacy.modal.my_data": "`/dealbell my-data` sends you everything dealbell stores about you.",
        "privacy.saved": ":white_check_mark: Saved.\n{summary}",
        "privacy.summary.hidden": "• Public leaderboards and weekly posts: *left out*",
        "privacy.summary.shown": "• Public leaderboards and weekly posts: *shown*",
        "privacy.summary.by_dm": "• Kudos to you: *by DM*",
        "privacy.summary.in_channel": "• Kudos to you: *in the channel*",
        "privacy.home.button": "Privacy settings",
        "privacy.my_data.started": "Collecting everything dealbell stores about you; a ZIP file will arrive in your DM.",
        "privacy.my_data.title": "Your dealbell data",
        "privacy.my_data.comment.one": "Everything dealbell stores about you: {count} row in CSV files.",
        "privacy.my_data.comment.other": "Everything dealbell stores about you: {count} rows in CSV files.",
        "privacy.forget.usage": "*Forget a person* (admins): `/dealbell forget @person`",
        "privacy.forget.unknown": "dealbell holds nothing about {user}.",
        "privacy.forget.title": "Forget a person",
        "privacy.forget.submit": "Forget",
        "privacy.forget.confirm.one": "Forget {user}? {count} row refers to them. This cannot be undone.",
        "privacy.forget.confirm.other": "Forget {user}? {count} rows refer to them. This cannot be undone.",
        "privacy.forget.what": (
            "Their deals, kudos, points and activities stay in the team's totals under a nameless "
            "“Former member”; feedback to or about them, their standup answers and their goals are "
            "deleted, and nothing links them to anonymous feedback any more."
        ),
        "privacy.forget.done.one": ":white_check_mark: {user} is forgotten: {count} row changed.",
        "privacy.forget.done.other": ":white_check_mark: {user} is forgotten: {count} rows changed.",
        "privacy.retention.shown.off": (
            "Retention: *off*: feedback and standup answers are kept. Admins: `/dealbell retention MONTHS|off`."
        ),
        "privacy.retention.shown.one": (
            "Retention: feedback and standup answers older than *{count} month* are deleted daily. "
            "Admins: `/dealbell retention MONTHS|off`."
        ),
        "privacy.retention.shown.other": (
            "Retention: feedback and standup answers older than *{count} months* are deleted daily. "
            "Admins: `/dealbell retention MONTHS|off`."
        ),
        "privacy.retention.bad": "`{word}` is not a number of months from 1 to {most}, or `off`.",
    },
    "zh": {
        "privacy.modal.title": "你的隐私",
        "privacy.modal.save": "保存",
        "privacy.modal.close": "取消",
        "privacy.modal.intro": "选择 dealbell 公开显示你的哪些信息。经理的摘要和你自己的主页始终统计你的全部数据。",
        "privacy.modal.label": "不公开",
        "privacy.modal.hidden_from_boards": "不在公开排行榜和每周帖子中显示我",
        "privacy.modal.kudos_by_dm": "通过私信而不是频道告诉我收到的点赞",
        "privacy.modal.my_data": "`/dealbell my-data` 会把 dealbell 存储的关于你的全部数据发给你。",
        "privacy.saved": ":white_check_mark: 已保存。\n{summary}",
        "privacy.summary.hidden": "• 公开排行榜和每周帖子：*不显示*",
        "privacy.summary.shown": "• 公开排行榜和每周帖子：*显示*",
        "privacy.summary.by_dm": "• 给你的点赞：*私信通知*",
        "privacy.summary.in_channel": "• 给你的点赞：*在频道中公布*",
        "privacy.home.button": "隐私设置",
        "privacy.my_data.started": "正在收集 dealbell 存储的关于你的全部数据；ZIP 文件将发送到你的私信。",
        "privacy.my_data.title": "你的 dealbell 数据",
        "privacy.my_data.comment.one": "dealbell 存储的关于你的全部数据：CSV 文件共 {count} 行。",
        "privacy.my_data.comment.other": "dealbell 存储的关于你的全部数据：CSV 文件共 {count} 行。",
        "privacy.forget.usage": "*删除某人的数据*（管理员）：`/dealbell forget @成员`",
        "privacy.forget.unknown": "dealbell 没有关于 {user} 的任何数据。",
        "privacy.forget.title": "删除某人的数据",
        "privacy.forget.submit": "删除",
        "privacy.forget.confirm.one": "删除 {user} 的数据？有 {count} 行数据与其相关。此操作无法撤销。",
        "privacy.forget.confirm.other": "删除 {user} 的数据？有 {count} 行数据与其相关。此操作无法撤销。",
        "privacy.forget.what": (
            "其交易、点赞、积分和活动以匿名的“前成员”保留在团队总数中；给其或关于其的反馈、站会回答和目标将被删除，"
            "匿名反馈与其之间不再有任何关联。"
        ),
        "privacy.forget.done.one": ":white_check_mark: 已删除 {user} 的数据：更改了 {count} 行。",
        "privacy.forget.done.other": ":white_check_mark: 已删除 {user} 的数据：更改了 {count} 行。",
        "privacy.retention.shown.off": "保留期限：*关闭*：反馈和站会回答会一直保留。管理员：`/dealbell retention 月数|off`。",
        "privacy.retention.shown.one": (
            "保留期限：超过 *{count} 个月* 的反馈和站会回答每天删除。管理员：`/dealbell retention 月数|off`。"
        ),
        "privacy.retention.shown.other": (
            "保留期限：超过 *{count} 个月* 的反馈和站会回答每天删除。管理员：`/dealbell retention 月数|off`。"
        ),
        "privacy.retention.bad": "`{word}` 不是 1 到 {most} 之间的月数，也不是 `off`。",
    },
}
