"""The fake Slack refuses what real Slack refuses: a method without its scope, and Block Kit beyond its
documented limits. Each limit is tested at the limit (taken) and one past it (refused)."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.installations import BOT_SCOPES
from bot.sandbox import strict
from bot.sandbox.workspace import SandboxSlack
from tests.fake_slack import FakeSlack, manifest_bot_scopes


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def section(text: str = "x") -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text)}


def option(value: str) -> dict[str, Any]:
    return {"text": plain(value), "value": value}


def select_block(options: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "input", "block_id": "b", "label": plain("Value"),
            "element": {"type": "static_select", "action_id": "value", "options": options}}  # fmt: skip


def modal(**fields: Any) -> dict[str, Any]:
    view = {"type": "modal", "callback_id": "c", "title": plain("Title"), "blocks": [section()]}
    view.update(fields)
    return view


def button(value: str) -> dict[str, Any]:
    return {"type": "actions", "elements": [{"type": "button", "text": plain("Go"), "action_id": "go", "value": value}]}  # fmt: skip


def assert_taken(blocks: list[dict[str, Any]]) -> None:
    assert strict.message_errors(blocks) == []


def assert_refused(blocks: list[dict[str, Any]], pointer: str) -> None:
    problems = strict.message_errors(blocks)
    assert any(f"[json-pointer:{pointer}]" in p for p in problems), problems


# --- text objects -------------------------------------------------------------------------------------


def test_a_text_object_holds_1_to_3000_characters():
    assert_taken([section("x" * 3000)])
    assert_refused([section("x" * 3001)], "/blocks/0/text/text")
    assert_refused([section("")], "/blocks/0/text/text")


def test_no_field_of_a_section_may_be_empty():
    assert_taken([{"type": "section", "fields": [mrkdwn("*Amount*\n40k")]}])
    assert_refused(
        [{"type": "section", "fields": [mrkdwn("*Amount*"), mrkdwn("")]}], "/blocks/0/fields/1/text"
    )


def test_a_section_has_at_most_10_fields():
    assert_taken([{"type": "section", "fields": [mrkdwn("x")] * 10}])
    assert_refused([{"type": "section", "fields": [mrkdwn("x")] * 11}], "/blocks/0/fields")


def test_a_header_holds_at_most_150_characters():
    assert_taken([{"type": "header", "text": plain("x" * 150)}])
    assert_refused([{"type": "header", "text": plain("x" * 151)}], "/blocks/0/text/text")


def test_a_context_block_has_1_to_10_elements():
    assert_taken([{"type": "context", "elements": [mrkdwn("x")] * 10}])
    assert_refused([{"type": "context", "elements": [mrkdwn("x")] * 11}], "/blocks/0/elements")
    assert_refused([{"type": "context", "elements": []}], "/blocks/0/elements")


# --- counts -------------------------------------------------------------------------------------------


def test_a_message_has_at_most_50_blocks():
    assert_taken([section()] * 50)
    assert_refused([section()] * 51, "/blocks")


def test_a_view_has_at_most_100_blocks():
    assert strict.view_errors(modal(blocks=[section()] * 100)) == []
    assert any("[json-pointer:/view" in p for p in strict.view_errors(modal(blocks=[section()] * 101)))
    home = {"type": "home", "blocks": [section()] * 101}
    assert any("[json-pointer:/view" in p for p in strict.view_errors(home))


def test_a_select_has_1_to_100_options():
    assert_taken([select_block([option(str(i)) for i in range(100)])])
    assert_refused([select_block([option(str(i)) for i in range(101)])], "/blocks/0/element/options")
    assert_refused([select_block([])], "/blocks/0/element/options")


def test_checkboxes_need_an_option_too():
    block = {"type": "input", "label": plain("Pick"),
             "element": {"type": "checkboxes", "action_id": "value", "options": []}}  # fmt: skip
    assert_refused([block], "/blocks/0/element/options")


@pytest.mark.parametrize("kind", ["checkboxes", "radio_buttons"])
def test_checkboxes_and_radio_buttons_have_at_most_10_options(kind):
    def block(count: int) -> dict[str, Any]:
        options = [option(str(i)) for i in range(count)]
        return {"type": "input", "label": plain("Pick"), "element": {"type": kind, "action_id": "v", "options": options}}  # fmt: skip

    assert_taken([block(10)])
    assert_refused([block(11)], "/blocks/0/element/options")


def test_an_overflow_menu_has_at_most_5_options():
    def block(count: int) -> dict[str, Any]:
        menu = {"type": "overflow", "action_id": "o", "options": [option(str(i)) for i in range(count)]}
        return {"type": "section", "text": mrkdwn("x"), "accessory": menu}

    assert_taken([block(5)])
    assert_refused([block(6)], "/blocks/0/accessory/options")


def test_an_options_text_holds_at_most_75_characters():
    assert_taken([select_block([option("x" * 75)])])
    assert_refused([select_block([option("x" * 76)])], "/blocks/0/element/options/0/text/text")


# --- elements and views -------------------------------------------------------------------------------


def test_a_button_value_holds_at_most_2000_characters():
    assert_taken([button("v" * 2000)])
    assert_refused([button("v" * 2001)], "/blocks/0/elements/0/value")


@pytest.mark.parametrize("name", ["title", "submit", "close"])
def test_a_modal_title_submit_and_close_hold_at_most_24_characters(name):
    assert strict.view_errors(modal(**{name: plain("x" * 24)})) == []
    problems = strict.view_errors(modal(**{name: plain("x" * 25)}))
    assert any(f"[json-pointer:/view/{name}/text]" in p for p in problems), problems


def test_private_metadata_holds_at_most_3000_characters():
    assert strict.view_errors(modal(private_metadata="m" * 3000)) == []
    problems = strict.view_errors(modal(private_metadata="m" * 3001))
    assert any("[json-pointer:/view/private_metadata]" in p for p in problems), problems


def test_slack_sdk_checks_the_shapes_it_knows():
    assert_refused([{"type": "no_such_block"}], "/blocks/0")
    assert_refused([{"type": "section"}], "/blocks/0")  # neither text nor fields
    bad_button = {
        "type": "actions",
        "elements": [{"type": "button", "text": plain("x" * 76), "action_id": "a"}],
    }
    assert_refused([bad_button], "/blocks/0")
    assert any("/view" in p for p in strict.view_errors({"type": "modal", "blocks": [section()]}))  # no title


def test_a_bad_attachment_is_refused():
    assert strict.message_errors(attachments=[{"text": "fine", "color": "#36a64f"}]) == []
    assert strict.message_errors(attachments=[{"text": "x", "no_such_field": 1}]) != []


# --- answers like Slack's -----------------------------------------------------------------------------


def test_the_answers_have_slacks_shape():
    answer = strict.payload_refusal("chat.postMessage", {"channel": "C1", "blocks": [section("")]})
    assert answer is not None and answer["ok"] is False and answer["error"] == "invalid_blocks"
    assert answer["response_metadata"]["messages"][0].startswith("[ERROR] ")
    answer = strict.payload_refusal("views.open", {"view": modal(title=plain(""))})
    assert answer is not None and answer["error"] == "invalid_arguments"
    assert strict.payload_refusal("chat.postMessage", {"channel": "C1", "blocks": [section()]}) is None
    assert strict.response_url_refusal({"blocks": [section("")]}) == "invalid_blocks"
    assert strict.response_url_refusal({"text": "plain"}) is None


def test_missing_scope_names_what_is_needed_and_what_was_provided():
    answer = strict.scope_refusal("files.getUploadURLExternal", {}, ["chat:write", "users:read"])
    assert answer == {"ok": False, "error": "missing_scope", "needed": "files:write",
                      "provided": "chat:write,users:read"}  # fmt: skip
    assert strict.scope_refusal("files.getUploadURLExternal", {}, ["files:write"]) is None
    assert strict.scope_refusal("views.open", {}, []) is None
    assert strict.scope_refusal("conversations.history", {"channel": "D1"}, ["channels:history"]) == {
        "ok": False, "error": "missing_scope", "needed": "im:history", "provided": "channels:history",
    }  # fmt: skip
    assert strict.scope_refusal("no.such.method", {}, ["chat:write"]) == {
        "ok": False,
        "error": "unknown_method",
    }


async def test_the_fake_answers_missing_scope_through_the_web_api():
    fake = await FakeSlack(scopes=["chat:write"]).start()
    try:
        client = AsyncWebClient(token="xoxb-test", base_url=fake.api_url)
        with pytest.raises(SlackApiError) as refused:
            await client.users_info(user="U1")
        assert refused.value.response["error"] == "missing_scope"
        assert refused.value.response["needed"] == "users:read"
        assert refused.value.response["provided"] == "chat:write"
        await client.chat_postMessage(channel="C1", text="hello")  # granted
    finally:
        fake.refusals.clear()
        await fake.stop()


async def test_the_fake_answers_invalid_blocks_through_the_web_api_and_remembers_it():
    fake = await FakeSlack().start()
    try:
        client = AsyncWebClient(token="xoxb-test", base_url=fake.api_url)
        with pytest.raises(SlackApiError) as refused:
            await client.chat_postMessage(channel="C1", text="t", blocks=[section("")])
        assert refused.value.response["error"] == "invalid_blocks"
        assert [r.method for r in fake.refusals] == ["chat.postMessage"]
        assert fake.calls_to("chat.postMessage")[0].ok is False
    finally:
        fake.refusals.clear()
        await fake.stop()


async def test_a_test_whose_bot_sent_what_slack_refuses_fails_at_teardown():
    fake = await FakeSlack().start()
    client = AsyncWebClient(token="xoxb-test", base_url=fake.api_url)
    with pytest.raises(SlackApiError):
        await client.views_open(trigger_id="t", view=modal(title=plain("")))
    with pytest.raises(AssertionError, match="invalid_arguments"):
        await fake.stop()


def test_the_manifest_grants_every_scope_the_bot_needs():
    granted = set(manifest_bot_scopes())
    for method, scopes in strict.METHOD_SCOPES.items():
        assert not scopes or set(scopes) & granted, method


async def post_response_url(url: str, body: dict[str, Any]) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.post(url, json=body) as response:
        return response.status, await response.text()


async def test_a_response_url_refuses_invalid_blocks_with_400():
    fake = await FakeSlack().start()
    try:
        assert await post_response_url(fake.response_url(), {"text": "fine", "blocks": [section()]}) == (
            200,
            "ok",
        )
        status, text = await post_response_url(fake.response_url(), {"text": "t", "blocks": [section("")]})
        assert (status, text) == (400, "invalid_blocks")
        assert [r.error for r in fake.refusals] == ["invalid_blocks"]
    finally:
        fake.refusals.clear()
        await fake.stop()


async def test_the_sandboxs_slack_is_as_strict():
    """It grants what an install asks for (BOT_SCOPES, equal to the manifest's) and shows nothing Slack
    would refuse."""
    slack = await SandboxSlack().start()
    try:
        assert slack.scopes == BOT_SCOPES
        slack.add_channel("C0001", "general")
        url = slack.response_url_for("U0001", "C0001")
        assert (await post_response_url(url, {"text": "t", "blocks": [section("")]}))[0] == 400
        assert slack.timeline == []
        client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)
        with pytest.raises(SlackApiError) as refused:
            await client.chat_postMessage(
                channel="C0001", text="t", blocks=[{"type": "header", "text": plain("x" * 151)}]
            )
        assert refused.value.response["error"] == "invalid_blocks"
        assert slack.timeline == []
        assert [r.error for r in slack.refusals] == ["invalid_blocks", "invalid_blocks"]
    finally:
        await slack.stop()
    narrow = await SandboxSlack(scopes=["chat:write"]).start()
    try:
        client = AsyncWebClient(token="xoxb-test", base_url=narrow.api_url)
        with pytest.raises(SlackApiError) as refused:
            await client.files_upload_v2(channel="C0001", content=b"x", filename="x.csv")
        assert refused.value.response["error"] == "missing_scope"
    finally:
        await narrow.stop()
