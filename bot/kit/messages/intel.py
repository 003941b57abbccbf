"""Messages of `/intel`: competitor notes and win/loss against each competitor."""

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "intel.summary": "competitor notes, and win/loss against each competitor",
        "intel.usage": (
            "*Competitor intel with `/intel`:*\n"
            '• `/intel Globex "launched a cheaper tier"` records a note (at most {limit} characters)\n'
            "• `/intel Globex` shows the notes, the deals lost to and won against Globex, and the win rate\n"
            "• `/intel` lists competitors by deals lost\n"
            "Mark lost deals with `/deal lost Initech competitor:Globex`."
        ),
        "intel.error.no_competitor": 'Name the competitor first, for example `/intel Globex "launched a cheaper tier"`.',
        "intel.error.name_too_long": "A competitor's name can be at most {limit} characters.",
        "intel.error.empty_note": 'Write the note between the quotes, for example `/intel {competitor} "launched a cheaper tier"`.',
        "intel.error.note_too_long": "That note has {length} characters; at most {limit} fit. Nothing was saved.",
        "intel.error.not_saved": "That note could not be saved; please try again.",
        "intel.noted": "Noted about *{competitor}*. `/intel {competitor}` shows everything the team knows.",
        "intel.already_noted": "That note about *{competitor}* was already saved.",
        "intel.card.title": "Intel: {competitor}",
        "intel.card.record": "Lost to them: *{lost}* · Won against them: *{won}* · Win rate: *{rate}*",
        "intel.card.notes": "*Latest notes* ({shown} of {total})",
        "intel.card.note": "• {note} — <@{author}>, {date}",
        "intel.card.no_notes": '_No notes yet. Add one with `/intel {competitor} "…"`._',
        "intel.card.lost": "*Recently lost to them*",
        "intel.card.won": "*Recently won against them*",
        "intel.card.deal": "• {customer} · {amount} · <@{owner}>{reason}",
        "intel.card.reason": " · _{reason}_",
        "intel.rate.none": "—",
        "intel.list.title": "Competitors by deals lost",
        "intel.list.line": "*{competitor}* — lost {lost} · won {won} · win rate {rate} · notes {notes}",
        "intel.list.more": "…and {count} more.",
        "intel.list.empty": (
            'No competitor intel yet. Record a note with `/intel Globex "…"`, '
            "and name the competitor when a deal is lost: `/deal lost Initech competitor:Globex`."
        ),
    },
    "zh": {
        "intel.summary": "竞争对手情报，以及对每个对手的输赢",
        "intel.usage": (
            "*用 `/intel` 记录竞品情报：*\n"
            '• `/intel Globex "推出了更便宜的版本"` 记录一条笔记（最多 {limit} 个字符）\n'
            "• `/intel Globex` 查看笔记、输给和赢过 Globex 的交易以及胜率\n"
            "• `/intel` 按输单数列出竞争对手\n"
            "丢单时注明对手：`/deal lost Initech competitor:Globex`。"
        ),
        "intel.error.no_competitor": '请先写竞争对手名称，例如 `/intel Globex "推出了更便宜的版本"`。',
        "intel.error.name_too_long": "竞争对手名称最多 {limit} 个字符。",
        "intel.error.empty_note": '请把笔记写在引号里，例如 `/intel {competitor} "推出了更便宜的版本"`。',
        "intel.error.note_too_long": "这条笔记有 {length} 个字符，最多只能 {limit} 个。未保存。",
        "intel.error.not_saved": "这条笔记未能保存，请重试。",
        "intel.noted": "已记录关于 *{competitor}* 的笔记。`/intel {competitor}` 可查看团队掌握的全部情报。",
        "intel.already_noted": "这条关于 *{competitor}* 的笔记已经保存过了。",
        "intel.card.title": "竞品情报：{competitor}",
        "intel.card.record": "输给对方：*{lost}* · 赢过对方：*{won}* · 胜率：*{rate}*",
        "intel.card.notes": "*最新笔记*（共 {total} 条，显示 {shown} 条）",
        "intel.card.note": "• {note} — <@{author}>，{date}",
        "intel.card.no_notes": '_还没有笔记。用 `/intel {competitor} "…"` 添加。_',
        "intel.card.lost": "*最近输给对方的交易*",
        "intel.card.won": "*最近赢过对方的交易*",
        "intel.card.deal": "• {customer} · {amount} · <@{owner}>{reason}",
        "intel.card.reason": " · _{reason}_",
        "intel.rate.none": "—",
        "intel.list.title": "按输单数排列的竞争对手",
        "intel.list.line": "*{competitor}* — 输 {lost} · 赢 {won} · 胜率 {rate} · 笔记 {notes}",
        "intel.list.more": "……另有 {count} 个。",
        "intel.list.empty": (
            '还没有竞品情报。用 `/intel Globex "…"` 记录笔记，'
            "丢单时注明对手：`/deal lost Initech competitor:Globex`。"
        ),
    },
}
