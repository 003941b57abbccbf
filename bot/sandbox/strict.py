"""What real Slack refuses, checked alike by the tests' fake Slack and the sandbox's.

Two checks, each answering the way Slack does:

- scopes: a Web API method whose bot scope the app was not granted answers `missing_scope`, with
  `needed` and `provided` (so an app whose manifest forgot a scope fails in the tests as on Slack);
- Block Kit: every `blocks`, `view` and `attachments` the bot sends is parsed with slack_sdk.models and
  validated, plus the documented limits slack_sdk does not check. Slack answers a bad message
  `invalid_blocks` (`invalid_attachments` for attachments), a bad view `invalid_arguments`, each with
  `[ERROR] … [json-pointer:/…]` messages; a response_url answers HTTP 400 with the error as its body.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.attachments import Attachment
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

# --- scopes --------------------------------------------------------------------------------------

# Bot-token scopes of each Web API method the bot calls, from Slack's Web API reference: each method's
# page (https://docs.slack.dev/reference/methods/<method>) lists them under "Scopes — Bot token", and
# each scope's page (https://docs.slack.dev/reference/scopes/<scope>) lists its compatible methods.
# Any one of a method's scopes is enough; () means "no scope required". A method missing from this
# table is refused as `unknown_method`, so a new call cannot slip past the check: add it here first.
METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "auth.test": (),  # no scope required
    "oauth.v2.access": (),  # exchanges a code for a token: no token yet
    "openid.connect.token": (),  # Sign in with Slack: a code for a user token, no scope required
    "openid.connect.userInfo": (),  # the user token's openid scope, not a bot scope (the fake checks the token)
    "apps.connections.open": (),  # app-level token with connections:write, not a bot scope
    "chat.postMessage": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "chat.update": ("chat:write",),
    "chat.delete": ("chat:write",),
    "users.info": ("users:read",),
    "users.list": ("users:read",),
    "users.lookupByEmail": ("users:read.email",),  # CRM owners mapped by e-mail (issue 20)
    "conversations.open": ("im:write", "mpim:write", "channels:manage", "groups:write"),
    "files.getUploadURLExternal": ("files:write",),
    "files.completeUploadExternal": ("files:write",),
    "views.open": (),  # "No scope required" (views.*)
    "views.push": (),
    "views.update": (),
    "views.publish": (),
    # conversations.history: channels:history, groups:history, im:history or mpim:history, the one
    # matching the conversation's kind (see history_scope)
    "conversations.history": ("channels:history", "groups:history", "im:history", "mpim:history"),
    # conversations.info: channels:read, groups:read, im:read or mpim:read, the one matching the
    # conversation's kind (the fake passes the kind it knows as args["kind"], see INFO_SCOPES)
    "conversations.info": ("channels:read", "groups:read", "im:read", "mpim:read"),
    "chat.getPermalink": (),  # "No scope required"
    "functions.completeSuccess": (),  # "No scope required" (a Workflow Builder step's outcome)
    "functions.completeError": (),
}

# Which *:read scope conversations.info needs, by the conversation's kind.
INFO_SCOPES = {
    "public": ("channels:read",),
    "private": ("groups:read",),
    "im": ("im:read",),
    "mpim": ("mpim:read",),
}

# Which *:history scope reads a conversation, by the first letter of its id: D a DM, G a private
# channel (older ids); C is a channel (public, or private for newer ids: either scope then reads it).
HISTORY_SCOPES = {"D": ("im:history",), "G": ("groups:history",), "C": ("channels:history", "groups:history")}


def scopes_needed(method: str, args: dict[str, Any]) -> tuple[str, ...] | None:
    """The scopes any one of which lets a bot token call `method` (() for none); None if unknown."""
    if method == "conversations.history":
        return HISTORY_SCOPES.get(str(args.get("channel", ""))[:1], METHOD_SCOPES[method])
    if method == "conversations.info":
        return INFO_SCOPES.get(str(args.get("kind", "")), METHOD_SCOPES[method])
    return METHOD_SCOPES.get(method)


def scope_refusal(method: str, args: dict[str, Any], granted: Iterable[str]) -> dict[str, Any] | None:
    """Slack's answer when the token lacks the method's scope, or None when it may call it."""
    needed = scopes_needed(method, args)
    granted = list(granted)
    if needed is None:
        return {"ok": False, "error": "unknown_method"}
    if not needed or set(needed) & set(granted):
        return None
    return {"ok": False, "error": "missing_scope", "needed": needed[0], "provided": ",".join(granted)}


# --- Block Kit ---------------------------------------------------------------------------------------

# Slack's documented limits (Block Kit reference: blocks, block elements, composition objects, views).
TEXT_MAX = 3000  # a text object's text: 1–3000 characters
HEADER_MAX = 150
MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100  # modals and the App Home alike
OPTIONS_MAX = 100  # a select menu's options: 1–100
FEW_OPTIONS_MAX = {"checkboxes": 10, "radio_buttons": 10, "overflow": 5}  # these elements take fewer
OPTION_TEXT_MAX = 75  # an option's text (and description)
BUTTON_VALUE_MAX = 2000
VIEW_LABEL_MAX = 24  # a modal's title, submit and close
PRIVATE_METADATA_MAX = 3000
FIELDS_MAX = 10  # a section's fields
CONTEXT_ELEMENTS_MAX = 10

TEXT_TYPES = ("plain_text", "mrkdwn")


def error(message: str, pointer: str) -> str:
    """One problem, worded as Slack words it in response_metadata.messages."""
    return f"[ERROR] {message} [json-pointer:{pointer}]"


def message_errors(blocks: Any = None, attachments: Any = None) -> list[str]:
    """What Slack would refuse in a message's blocks and attachments ([] when it takes them)."""
    problems = []
    if blocks is not None:
        problems += _block_list_errors(blocks, "/blocks", MESSAGE_BLOCKS_MAX)
    if attachments is not None:
        problems += _attachment_errors(attachments)
    return problems


def view_errors(view: Any) -> list[str]:
    """What Slack would refuse in a modal or App Home view ([] when it takes it)."""
    if not isinstance(view, dict):
        return [error("must be an object", "/view")]
    problems = [*_view_field_errors(view), *_sdk_errors(lambda: View(**view), "/view")]
    problems += _block_list_errors(view.get("blocks"), "/view/blocks", VIEW_BLOCKS_MAX)
    return problems


def payload_refusal(method: str, args: dict[str, Any]) -> dict[str, Any] | None:
    """Slack's answer to a Web API call whose blocks, attachments or view it would refuse, else None."""
    if method.startswith("views.") and "view" in args:
        problems = view_errors(args["view"])
        return _refusal("invalid_arguments", problems) if problems else None
    if method.startswith("chat.") and method != "chat.delete":
        problems = message_errors(args.get("blocks"))
        if problems:
            return _refusal("invalid_blocks", problems)
        problems = message_errors(attachments=args.get("attachments"))
        return _refusal("invalid_attachments", problems) if problems else None
    return None


def response_url_refusal(args: dict[str, Any]) -> str | None:
    """The error a response_url answers (HTTP 400, the error as the body) for a bad message, else None."""
    if message_errors(args.get("blocks")):
        return "invalid_blocks"
    if message_errors(attachments=args.get("attachments")):
        return "invalid_attachments"
    return None


def _refusal(code: str, problems: list[str]) -> dict[str, Any]:
    return {"ok": False, "error": code, "errors": problems, "response_metadata": {"messages": problems}}


def _block_list_errors(blocks: Any, pointer: str, most: int) -> list[str]:
    if not isinstance(blocks, list):
        return [error("must be an array", pointer)]
    problems = []
    if len(blocks) > most:
        problems.append(error(f"must contain no more than {most} items", pointer))
    for index, block in enumerate(blocks):
        where = f"{pointer}/{index}"
        if not isinstance(block, dict) or Block.parse(block) is None:
            problems.append(error("unsupported block type", where))
            continue
        problems += _sdk_errors(lambda block=block: Block.parse(block), where)
        problems += _limit_errors(block, where)
    return problems


def _sdk_errors(build: Any, pointer: str) -> list[str]:
    """slack_sdk's own validation: to_dict() validates the object and everything inside it."""
    try:
        build().to_dict()
    except (SlackObjectFormationError, TypeError, ValueError, KeyError, AttributeError) as exc:
        return [error(str(exc) or type(exc).__name__, pointer)]
    return []


def _view_field_errors(view: dict[str, Any]) -> Iterator[str]:
    if view.get("type") not in ("modal", "home"):
        yield error("must be one of modal, home", "/view/type")
    if view.get("type") == "modal" and not isinstance(view.get("title"), dict):
        yield error("missing required field: title", "/view")
    for name in ("title", "submit", "close"):
        label = view.get(name)
        if isinstance(label, dict) and len(str(label.get("text", ""))) > VIEW_LABEL_MAX:
            yield error(f"must be less than {VIEW_LABEL_MAX + 1} characters", f"/view/{name}/text")
    if len(str(view.get("private_metadata") or "")) > PRIVATE_METADATA_MAX:
        yield error(f"must be less than {PRIVATE_METADATA_MAX + 1} characters", "/view/private_metadata")


def _limit_errors(node: Any, pointer: str) -> Iterator[str]:
    """The documented limits slack_sdk leaves unchecked, anywhere inside a block."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _limit_errors(item, f"{pointer}/{index}")
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind in TEXT_TYPES and "text" in node:
        yield from _text_errors(node["text"], f"{pointer}/text", TEXT_MAX)
    if (
        kind == "header"
        and isinstance(node.get("text"), dict)
        and len(str(node["text"].get("text"))) > HEADER_MAX
    ):
        yield error(f"must be less than {HEADER_MAX + 1} characters", f"{pointer}/text/text")
    if kind == "section":
        yield from _count_errors(node.get("fields"), 0, FIELDS_MAX, f"{pointer}/fields")
    if kind == "context":
        yield from _count_errors(node.get("elements"), 1, CONTEXT_ELEMENTS_MAX, f"{pointer}/elements")
    if "options" in node:  # select menus, checkboxes, radio buttons, overflow menus
        most = FEW_OPTIONS_MAX.get(str(kind), OPTIONS_MAX)
        yield from _count_errors(node["options"], 1, most, f"{pointer}/options")
        for index, choice in enumerate(node["options"] if isinstance(node["options"], list) else []):
            yield from _option_errors(choice, f"{pointer}/options/{index}")
    if kind == "button" and len(str(node.get("value") or "")) > BUTTON_VALUE_MAX:
        yield error(f"must be less than {BUTTON_VALUE_MAX + 1} characters", f"{pointer}/value")
    for key, value in node.items():
        if isinstance(value, dict | list):
            yield from _limit_errors(value, f"{pointer}/{key}")


def _option_errors(choice: Any, pointer: str) -> Iterator[str]:
    for name in ("text", "description"):
        label = choice.get(name) if isinstance(choice, dict) else None
        if isinstance(label, dict) and len(str(label.get("text", ""))) > OPTION_TEXT_MAX:
            yield error(f"must be less than {OPTION_TEXT_MAX + 1} characters", f"{pointer}/{name}/text")


def _count_errors(items: Any, least: int, most: int, pointer: str) -> Iterator[str]:
    if isinstance(items, list) and not least <= len(items) <= most:
        yield error(f"must contain {least} to {most} items", pointer)


def _text_errors(text: Any, pointer: str, most: int) -> Iterator[str]:
    if not isinstance(text, str):
        yield error("must be a string", pointer)
    elif not text:
        yield error("must be more than 0 characters", pointer)
    elif len(text) > most:
        yield error(f"must be less than {most + 1} characters", pointer)


def _attachment_errors(attachments: Any) -> list[str]:
    if not isinstance(attachments, list):
        return [error("must be an array", "/attachments")]
    problems = []
    for index, attachment in enumerate(attachments):
        where = f"/attachments/{index}"
        if not isinstance(attachment, dict):
            problems.append(error("must be an object", where))
            continue
        plain = {k: v for k, v in attachment.items() if k not in ("blocks", "fields")}
        if "blocks" in attachment:
            problems += _block_list_errors(attachment["blocks"], f"{where}/blocks", MESSAGE_BLOCKS_MAX)
        else:
            problems += _sdk_errors(lambda plain=plain: Attachment(**plain), where)
    return problems
