"""The message catalogue: every string a user sees comes from here, in English and Simplified Chinese."""

from __future__ import annotations

from typing import Any

USAGE = {
    "en": (
        "*Log deals with `/deal`:*\n"
        "• `/deal` opens a form\n"
        '• `/deal won 12.5k Acme Corp "Annual licence"` logs a win\n'
        "• `/deal new 40k Globex stage:proposal close:2026-12-20` adds an open deal\n"
        "• `/deal won Acme` closes your open Acme deal as won\n"
        "• `/deal lost Initech competitor:Globex reason:price` marks your Initech deal lost\n"
        "• `/deal list` shows your open pipeline\n"
        "Amounts: `12500`, `12,500`, `12.5k`, `1.2m`, `$12,500`, `€900`, `USD 4000`, `¥12万`, `1.5亿`."
    ),
    "zh": (
        "*用 `/deal` 记录商机：*\n"
        "• `/deal` 打开表单\n"
        '• `/deal won 12.5k Acme Corp "年度许可"` 记录一笔赢单\n'
        "• `/deal new 40k Globex stage:proposal close:2026-12-20` 新增进行中的商机\n"
        "• `/deal won Acme` 把你与 Acme 的进行中商机标记为赢单\n"
        "• `/deal lost Initech competitor:Globex reason:price` 把与 Initech 的商机标记为丢单\n"
        "• `/deal list` 查看你的进行中商机\n"
        "金额写法：`12500`、`12,500`、`12.5k`、`1.2m`、`$12,500`、`€900`、`USD 4000`、`¥12万`、`1.5亿`。"
    ),
}

CATALOGUE: dict[str, dict[str, str]] = {
    "en": {
        "deal.usage": USAGE["en"],
        "deal.error.unknown_verb": "I don't know `{verb}`.",
        "deal.error.amount_missing": "Give an amount for the deal, for example `/deal new 40k Globex`.",
        "deal.error.customer_missing": "Name the customer, for example `/deal won 12.5k Acme`.",
        "deal.error.too_long": "The {field} is too long (at most {limit} characters).",
        "deal.error.bad_stage": "`{stage}` is not an open stage. Use one of: {stages}.",
        "deal.error.bad_date": "`{value}` is not a date. Write it as YYYY-MM-DD, for example 2026-12-20.",
        "deal.error.not_found": "That deal no longer exists in this workspace.",
        "deal.error.not_yours": "Only the deal's owner or a manager can change it.",
        "deal.error.no_open_deal": "You have no open deal with *{customer}*. Log one with `/deal new <amount> {customer}`.",
        "deal.error.title_required": "Give the deal a customer.",
        "amount.error.empty": "Give an amount.",
        "amount.error.not_a_number": "`{amount}` is not an amount.",
        "amount.error.not_positive": "The amount must be more than zero.",
        "amount.error.too_large": "`{amount}` is larger than dealbell can record.",
        "amount.error.unknown_currency": "`{amount}` has a currency I don't know. Use an ISO code such as USD or EUR.",
        "amount.error.too_precise": "`{amount}` has more decimals than its currency allows.",
        "error.try_again": "Something went wrong on our side, and nothing was saved. Please try again in a moment.",
        "error.after_ack": "Something went wrong while finishing that. Please check the result and try again in a moment.",
        "error.not_in_channel": "I couldn't post in <#{channel}>: invite me there with `/invite @dealbell`.",
        "stage.lead": "Lead",
        "stage.qualified": "Qualified",
        "stage.proposal": "Proposal",
        "stage.negotiation": "Negotiation",
        "stage.won": "Won",
        "stage.lost": "Lost",
        "deal.logged": "Deal logged: *{customer}*{title} for *{amount}*, stage *{stage}*.",
        "deal.already_logged": "Already logged: *{customer}*{title} for *{amount}*, stage *{stage}*.",
        "deal.moved": "*{customer}*{title} moved to *{stage}*.",
        "deal.unchanged": "*{customer}*{title} is already *{stage}*.",
        "deal.card.fields": "*Customer*\n{customer}|*Amount*\n{amount}|*Stage*\n{stage}|*Expected close*\n{close}",
        "deal.card.no_close": "not set",
        "deal.card.lost": "Lost to {competitor} · reason: {reason}",
        "deal.button.advance": "Move to {stage}",
        "deal.button.won": "Mark won",
        "deal.button.lost": "Mark lost",
        "deal.list.title": "Your open pipeline",
        "deal.list.empty": "You have no open deals. Log one with `/deal new 40k Globex`.",
        "deal.list.total": "*{stage}*: {count} · {amount}",
        "deal.list.more": "Showing the {shown} newest of {total} open deals.",
        "deal.list.item": "• *{customer}*{title} · {amount} · {stage}",
        "celebration.text": ":tada: {owner} won *{customer}*{title} for *{amount}*!",
        "celebration.button": "Congratulate",
        "celebration.count": ":clap: {count} congratulations",
        "celebration.count_one": ":clap: 1 congratulation",
        "modal.deal.title": "Log a deal",
        "modal.deal.submit": "Save",
        "modal.close": "Cancel",
        "modal.deal.customer": "Customer",
        "modal.deal.deal_title": "Title",
        "modal.deal.amount": "Amount",
        "modal.deal.amount_hint": "12.5k, $12,500, ¥12万…",
        "modal.deal.currency": "Currency",
        "modal.deal.stage": "Stage",
        "modal.deal.close": "Expected close date",
        "modal.deal.notes": "Notes",
        "modal.lost.title": "Mark deal lost",
        "modal.lost.submit": "Mark lost",
        "modal.lost.competitor": "Lost to which competitor?",
        "modal.lost.reason": "Why did we lose it?",
        "admin.usage": (
            "*dealbell commands*\n"
            "• `/deal` log deals and wins (`/deal help` for the syntax)\n"
            "• `/dealbell channels wins #channel` choose where wins are celebrated (admins)\n"
            "• `/dealbell channels` show the channel settings\n"
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
        "home.title": "Welcome to dealbell",
        "home.intro": "Log wins in seconds, thank your peers and keep the team's rituals in Slack.",
    },
    "zh": {
        "deal.usage": USAGE["zh"],
        "deal.error.unknown_verb": "我不认识 `{verb}`。",
        "deal.error.amount_missing": "请给出金额，例如 `/deal new 40k Globex`。",
        "deal.error.customer_missing": "请写上客户名称，例如 `/deal won 12.5k Acme`。",
        "deal.error.too_long": "{field} 太长（最多 {limit} 个字符）。",
        "deal.error.bad_stage": "`{stage}` 不是进行中的阶段。可用：{stages}。",
        "deal.error.bad_date": "`{value}` 不是日期。请写成 YYYY-MM-DD，例如 2026-12-20。",
        "deal.error.not_found": "这个商机在本工作区已不存在。",
        "deal.error.not_yours": "只有商机负责人或经理可以修改它。",
        "deal.error.no_open_deal": "你与 *{customer}* 没有进行中的商机。可用 `/deal new <金额> {customer}` 新建。",
        "deal.error.title_required": "请填写客户。",
        "amount.error.empty": "请填写金额。",
        "amount.error.not_a_number": "`{amount}` 不是金额。",
        "amount.error.not_positive": "金额必须大于零。",
        "amount.error.too_large": "`{amount}` 超出了可记录的范围。",
        "amount.error.unknown_currency": "`{amount}` 的币种无法识别。请使用 USD、EUR 等 ISO 代码。",
        "amount.error.too_precise": "`{amount}` 的小数位数超过了该币种允许的位数。",
        "error.try_again": "我们这边出了点问题，什么都没有保存。请稍后再试。",
        "error.after_ack": "完成操作时出了点问题。请检查结果，稍后再试。",
        "error.not_in_channel": "我无法在 <#{channel}> 发消息：请用 `/invite @dealbell` 邀请我。",
        "stage.lead": "线索",
        "stage.qualified": "已确认",
        "stage.proposal": "方案",
        "stage.negotiation": "谈判",
        "stage.won": "赢单",
        "stage.lost": "丢单",
        "deal.logged": "已记录商机：*{customer}*{title}，金额 *{amount}*，阶段 *{stage}*。",
        "deal.already_logged": "已经记录过：*{customer}*{title}，金额 *{amount}*，阶段 *{stage}*。",
        "deal.moved": "*{customer}*{title} 已进入 *{stage}*。",
        "deal.unchanged": "*{customer}*{title} 已经是 *{stage}*。",
        "deal.card.fields": "*客户*\n{customer}|*金额*\n{amount}|*阶段*\n{stage}|*预计成交*\n{close}",
        "deal.card.no_close": "未设置",
        "deal.card.lost": "输给 {competitor} · 原因：{reason}",
        "deal.button.advance": "推进到{stage}",
        "deal.button.won": "标记赢单",
        "deal.button.lost": "标记丢单",
        "deal.list.title": "你的进行中商机",
        "deal.list.empty": "你没有进行中的商机。可用 `/deal new 40k Globex` 新建。",
        "deal.list.total": "*{stage}*：{count} 个 · {amount}",
        "deal.list.more": "显示最新的 {shown} 个，共 {total} 个进行中商机。",
        "deal.list.item": "• *{customer}*{title} · {amount} · {stage}",
        "celebration.text": ":tada: {owner} 赢下了 *{customer}*{title}，金额 *{amount}*！",
        "celebration.button": "祝贺",
        "celebration.count": ":clap: {count} 人祝贺",
        "celebration.count_one": ":clap: 1 人祝贺",
        "modal.deal.title": "记录商机",
        "modal.deal.submit": "保存",
        "modal.close": "取消",
        "modal.deal.customer": "客户",
        "modal.deal.deal_title": "标题",
        "modal.deal.amount": "金额",
        "modal.deal.amount_hint": "12.5k、$12,500、¥12万…",
        "modal.deal.currency": "币种",
        "modal.deal.stage": "阶段",
        "modal.deal.close": "预计成交日期",
        "modal.deal.notes": "备注",
        "modal.lost.title": "标记丢单",
        "modal.lost.submit": "标记丢单",
        "modal.lost.competitor": "输给了哪个竞争对手？",
        "modal.lost.reason": "丢单原因？",
        "admin.usage": (
            "*dealbell 命令*\n"
            "• `/deal` 记录商机和赢单（`/deal help` 查看写法）\n"
            "• `/dealbell channels wins #频道` 设置庆祝赢单的频道（管理员）\n"
            "• `/dealbell channels` 查看频道设置\n"
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
        "home.title": "欢迎使用 dealbell",
        "home.intro": "几秒钟记录赢单，感谢同事，让团队的例行工作都在 Slack 里完成。",
    },
}

DEFAULT_LANGUAGE = "en"


def language(locale: str | None) -> str:
    """Catalogue language for a Slack or Babel locale: zh-CN, zh_Hans_CN → zh; anything else → en."""
    if locale and locale.replace("_", "-").lower().startswith("zh"):
        return "zh"
    return DEFAULT_LANGUAGE


def babel_locale(locale: str | None) -> str:
    """Babel locale for number and date formatting."""
    return "zh_Hans_CN" if language(locale) == "zh" else "en_US"


def t(locale: str | None, key: str, **params: Any) -> str:
    """The message `key` in the member's language, filled with `params` (already escaped by the caller)."""
    messages = CATALOGUE[language(locale)]
    template = messages.get(key) or CATALOGUE[DEFAULT_LANGUAGE][key]
    return template.format(**params) if params else template
