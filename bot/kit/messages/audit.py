"""Messages of `/dealbell audit [days] [csv]` (the audit log of managers' and admins' actions)."""

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "audit.usage": (
            "*Audit log* (admins): `/dealbell audit [days] [csv]` lists what managers and admins changed "
            "in the last 7 days (or up to {most}); `csv` sends the whole period to your DM as a CSV file."
        ),
        "audit.error.bad_word": "`{word}` is neither a number of days (1 to {most}) nor `csv`.",
        "audit.title.one": "Audit log: the last day",
        "audit.title.other": "Audit log: the last {count} days",
        "audit.none.one": "No manager or admin changed anything in the last day.",
        "audit.none.other": "No manager or admin changed anything in the last {count} days.",
        "audit.line": "{when} · {who} · `{action}` · {tables}",
        "audit.more": "…and {count} older entries: `/dealbell audit {days} csv` sends them all.",
        "audit.csv.started.one": "Preparing the audit log of the last day; the CSV file will arrive in your DM.",
        "audit.csv.started.other": (
            "Preparing the audit log of the last {count} days; the CSV file will arrive in your DM."
        ),
        "audit.csv.title.one": "dealbell audit log (the last day)",
        "audit.csv.title.other": "dealbell audit log (the last {count} days)",
        "audit.csv.comment.one": "The audit log: {count} entry.",
        "audit.csv.comment.other": "The audit log: {count} entries.",
    },
    "zh": {
        "audit.usage": (
            "*审计日志*（管理员）：`/dealbell audit [天数] [csv]` 列出经理和管理员最近 7 天（最多 {most} 天）的改动；"
            "加 `csv` 会把整段时间的记录以 CSV 文件发到你的私信。"
        ),
        "audit.error.bad_word": "`{word}` 既不是天数（1 到 {most}），也不是 `csv`。",
        "audit.title.one": "审计日志：最近一天",
        "audit.title.other": "审计日志：最近 {count} 天",
        "audit.none.one": "最近一天没有经理或管理员做过改动。",
        "audit.none.other": "最近 {count} 天没有经理或管理员做过改动。",
        "audit.line": "{when} · {who} · `{action}` · {tables}",
        "audit.more": "……还有 {count} 条更早的记录：`/dealbell audit {days} csv` 可导出全部。",
        "audit.csv.started.one": "正在准备最近一天的审计日志，CSV 文件稍后发到你的私信。",
        "audit.csv.started.other": "正在准备最近 {count} 天的审计日志，CSV 文件稍后发到你的私信。",
        "audit.csv.title.one": "dealbell 审计日志（最近一天）",
        "audit.csv.title.other": "dealbell 审计日志（最近 {count} 天）",
        "audit.csv.comment.one": "审计日志：共 {count} 条。",
        "audit.csv.comment.other": "审计日志：共 {count} 条。",
    },
}
