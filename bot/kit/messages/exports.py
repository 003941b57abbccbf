"""Messages of `/dealbell export …` (CSV files sent to the requester's DM)."""

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "exports.usage": (
            "*Export to CSV* (managers): `/dealbell export deals|kudos|activities|customers [month|quarter|year|all]` "
            "sends a CSV file to your DM. The default period is this month, in your time zone."
        ),
        "exports.error.bad_kind": "`{word}` is not something I can export. Use one of: {kinds}.",
        "exports.error.bad_period": "`{word}` is not a period. Use one of: {periods}.",
        "exports.started": (
            "Preparing the {kind} export ({period}); the CSV file will arrive in your DM.\nColumns: {columns}"
        ),
        "exports.file.title": "dealbell {kind} export ({period})",
        "exports.file.comment.one": "Your {kind} export ({period}): {count} row.",
        "exports.file.comment.other": "Your {kind} export ({period}): {count} rows.",
        "exports.kind.deals": "deals",
        "exports.kind.kudos": "kudos",
        "exports.kind.activities": "activities",
        "exports.kind.customers": "customers",
        "exports.period.all": "all time",
    },
    "zh": {
        "exports.usage": (
            "*导出 CSV*（经理）：`/dealbell export deals|kudos|activities|customers [month|quarter|year|all]` "
            "会把 CSV 文件发到你的私信。默认导出本月（按你的时区）。"
        ),
        "exports.error.bad_kind": "`{word}` 无法导出。可用：{kinds}。",
        "exports.error.bad_period": "`{word}` 不是时间段。可用：{periods}。",
        "exports.started": "正在准备{kind}导出（{period}），CSV 文件稍后发到你的私信。\n列：{columns}",
        "exports.file.title": "dealbell {kind}导出（{period}）",
        "exports.file.comment.one": "你的{kind}导出（{period}）：共 {count} 行。",
        "exports.file.comment.other": "你的{kind}导出（{period}）：共 {count} 行。",
        "exports.kind.deals": "商机",
        "exports.kind.kudos": "点赞",
        "exports.kind.activities": "客户活动",
        "exports.kind.customers": "客户",
        "exports.period.all": "全部时间",
    },
}
