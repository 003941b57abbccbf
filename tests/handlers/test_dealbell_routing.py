"""Every command also as `/dealbell <command> …` (for workspaces where another app owns `/log`, `/team`…)."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from storage.models import Deal, Kudos


async def count(db, model) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_dealbell_deal_is_deal_and_a_retry_writes_once(app):
    replies = await asyncio.gather(
        *[app.send.command("/dealbell", "deal won 12.5k Acme", trigger_id="trigger.routed") for _ in range(2)]
    )
    assert all("Acme" in reply.text for reply in replies)
    assert await count(app.db, Deal) == 1


async def test_every_declared_command_answers_its_help_under_dealbell(app):
    from handlers.features import commands, discover

    for command in commands(discover()):
        if command.name == "/dealbell":
            continue
        direct = await app.send.command(command.name, "help")
        routed = await app.send.command("/dealbell", f"{command.name[1:]} help")
        assert routed.status == 200 and routed.text == direct.text, command.name


async def test_dealbell_kudos_gives_kudos_but_keeps_its_settings_words(app):
    reply = await app.send.command("/dealbell", "kudos <@U0002|ana> thanks for the demo")
    assert "left today" in reply.text
    assert await count(app.db, Kudos) == 1
    settings = await app.send.command("/dealbell", "kudos allowance 7")
    assert "Only managers" in settings.text  # the settings word, not a kudos to "allowance"
    assert await count(app.db, Kudos) == 1


async def test_help_says_commands_work_under_dealbell(app):
    reply = await app.send.command("/dealbell", "help")
    assert "/dealbell <command>" in reply.text
