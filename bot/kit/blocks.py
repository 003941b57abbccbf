"""Block Kit builders and mrkdwn escaping shared by handlers and jobs (imports no handler or job)."""

from __future__ import annotations

from typing import Any

from bot.kit.emphasis import slack_emphasis

Block = dict[str, Any]

# Slack's limits that a builder would otherwise silently exceed.
SECTION_TEXT_LIMIT = 3000
BUTTON_TEXT_LIMIT = 75
PLAIN_INPUT_LIMIT = 3000


def escape(text: str | None) -> str:
    """Escape user text for mrkdwn, so `<!channel>` or `<@U…>` typed by a user stays text.

    Slack asks for exactly these three: & < > (https://api.slack.com/reference/surfaces/formatting#escaping).
    """
    if not text:
        return ""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Command text as typed: Slack sends a typed `&`, `<`, `>` as `&amp;`, `&lt;`, `&gt;`.

    Store what people typed and `escape` it again whenever it is shown.
    """
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(text: str, emoji: bool = True) -> dict[str, Any]:
    return {"type": "plain_text", "text": truncate(text, SECTION_TEXT_LIMIT), "emoji": emoji}


def mrkdwn(text: str) -> dict[str, Any]:
    """mrkdwn text; bold next to Chinese text gets the boundary Slack needs (bot/kit/emphasis.py)."""
    return {"type": "mrkdwn", "text": truncate(slack_emphasis(text), SECTION_TEXT_LIMIT)}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(truncate(text, 150))}


def section(text: str, *, block_id: str | None = None, accessory: Block | None = None) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if block_id:
        block["block_id"] = block_id
    if accessory:
        block["accessory"] = accessory
    return block


def fields(*texts: str) -> Block:
    return {"type": "section", "fields": [mrkdwn(t) for t in texts[:10]]}


def context(*texts: str, block_id: str | None = None) -> Block:
    block: Block = {"type": "context", "elements": [mrkdwn(t) for t in texts[:10]]}
    if block_id:
        block["block_id"] = block_id
    return block


def divider() -> Block:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str = "", style: str | None = None) -> Block:
    element: Block = {
        "type": "button",
        "text": plain(truncate(text, BUTTON_TEXT_LIMIT)),
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def actions(*elements: Block, block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


def option(text: str, value: str) -> Block:
    return {"text": plain(text), "value": value}


def text_input(
    block_id: str,
    label: str,
    *,
    initial: str | None = None,
    multiline: bool = False,
    optional: bool = False,
    placeholder: str | None = None,
    max_length: int = PLAIN_INPUT_LIMIT,
) -> Block:
    element: Block = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": multiline,
        "max_length": max_length,
    }
    if initial:
        element["initial_value"] = initial
    if placeholder:
        element["placeholder"] = plain(placeholder)
    return input_block(block_id, label, element, optional=optional)


def select_input(
    block_id: str, label: str, options: list[Block], *, initial: str | None = None, optional: bool = False
) -> Block:
    element: Block = {"type": "static_select", "action_id": "value", "options": options}
    chosen = next((o for o in options if o["value"] == initial), None)
    if chosen:
        element["initial_option"] = chosen
    return input_block(block_id, label, element, optional=optional)


def external_select_input(
    block_id: str,
    label: str,
    action_id: str,
    *,
    placeholder: str | None = None,
    initial: Block | None = None,
    min_query_length: int = 1,
) -> Block:
    """A type-ahead menu whose options the app's `options` listener for `action_id` answers
    (Slack asks the manifest's options load URL); `input_value` reads its choice like any other."""
    element: Block = {"type": "external_select", "action_id": action_id, "min_query_length": min_query_length}
    if placeholder:
        element["placeholder"] = plain(truncate(placeholder, 150))
    if initial:
        element["initial_option"] = initial
    return input_block(block_id, label, element)


def date_input(block_id: str, label: str, *, optional: bool = True) -> Block:
    return input_block(block_id, label, {"type": "datepicker", "action_id": "value"}, optional=optional)


def input_block(block_id: str, label: str, element: Block, *, optional: bool = False) -> Block:
    """An input block; every element's action_id is "value", which `input_value` reads back."""
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "optional": optional,
        "element": element,
    }


def modal(
    callback_id: str, title: str, blocks: list[Block], *, submit: str, close: str, metadata: str = ""
) -> Block:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(truncate(title, 24)),
        "submit": plain(truncate(submit, 24)),
        "close": plain(truncate(close, 24)),
        "private_metadata": metadata,
        "blocks": blocks,
    }


def input_value(state: dict[str, Any], block_id: str) -> Any:
    """The value of one input of a submitted view: text, selected option value or picked date."""
    block = state.get("values", {}).get(block_id, {})
    element = block.get("value") or next(iter(block.values()), None) or {}  # an external select's own id
    kind = element.get("type")
    if kind in ("static_select", "external_select"):
        selected = element.get("selected_option") or {}
        return selected.get("value")
    if kind == "datepicker":
        return element.get("selected_date")
    if kind == "multi_users_select":
        return list(element.get("selected_users") or [])
    if kind == "users_select":
        return element.get("selected_user")
    if kind == "checkboxes":
        return [o["value"] for o in element.get("selected_options") or []]
    return element.get("value")
