"""Typed @names in /kudos, /feedback and /reward (issue 16, item 6), through signed requests: a name
that is nobody's (or someone outside the workspace) is named back with how to pick them; a plain
`@Ana Souza` that names one member is read as that member."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import Award, Feedback, Kudos, Member
from tests.jobs.test_follow_ups import owner

BOSS = "U0001"
NOT_FOUND = "I couldn't find {} in this workspace — pick them from the @ menu."


async def team(app) -> dict[str, Member]:
    """Ana Souza; Ana Lima and Ana Costa (both shown as "Ana"); Li Wei (李伟): members dealbell knows."""
    app.fake.add_user(BOSS, is_admin=True)
    ana = await owner(
        app, "U0002", real_name="Ana Souza", profile={"display_name": "ana.s", "real_name": "Ana Souza"}
    )
    lima = await owner(
        app, "U0003", real_name="Ana Lima", profile={"display_name": "Ana", "real_name": "Ana Lima"}
    )
    li = await owner(
        app, "U0004", real_name="Li Wei", profile={"display_name": "李伟", "real_name": "Li Wei"}
    )
    await owner(
        app, "U0005", real_name="Ana Costa", profile={"display_name": "Ana", "real_name": "Ana Costa"}
    )
    return {"ana": ana, "lima": lima, "li": li}


async def count(app, model) -> int:
    async with app.db.session() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_kudos_to_someone_typed_as_text_who_is_not_in_the_workspace_names_them(app):
    await team(app)
    reply = await app.send.command("/kudos", "@bob thanks for the demo")
    assert reply.text.startswith(":warning: " + NOT_FOUND.format("@bob"))
    app.fake.fail_next("users.info", "user_not_found")  # picked, but Slack no longer knows them
    reply = await app.send.command("/kudos", "<@U0NOBODY|bob> thanks for the demo")
    assert reply.text.startswith(":warning: " + NOT_FOUND.format("@bob"))
    assert await count(app, Kudos) == 0


async def test_kudos_to_a_typed_full_name_goes_to_that_member_and_an_ambiguous_name_is_refused(app):
    people = await team(app)
    reply = await app.send.command("/kudos", "@Ana Souza and @李伟 for the Acme demo")
    assert reply.text.startswith("Kudos sent to <@U0002>, <@U0004>") or reply.text.startswith(
        "Kudos sent to <@U0004>, <@U0002>"
    ), reply.text
    card = (await app.fake.wait_for("chat.postMessage"))[0].args
    assert "for the Acme demo" in card["text"] and "<@U0002>" in card["text"] and "<@U0004>" in card["text"]
    async with app.db.session() as session:
        receivers = set(await session.scalars(select(Kudos.receiver_id)))
    assert receivers == {people["ana"].id, people["li"].id}

    ambiguous = await app.send.command("/kudos", "@ana thanks")
    assert "@ana could be Ana Lima, Ana Costa: pick the one you mean from the @ menu." in ambiguous.text
    assert await count(app, Kudos) == 2


async def test_feedback_and_reward_read_the_typed_addressee(app):
    await team(app)
    reply = await app.send.command("/feedback", "@Ana Souza the demo was clear; email me @ noon")
    assert "Sent to <@U0002>" in reply.text
    async with app.db.session() as session:
        [feedback] = (await session.scalars(select(Feedback))).all()
    assert feedback.text == "the demo was clear; email me @ noon"
    assert NOT_FOUND.format("@bob") in (await app.send.command("/feedback", "@bob hello")).text

    award = await app.send.command("/reward", '@Li Wei "Team Player" for the onboarding help')
    assert award.status == 200 and ":warning:" not in award.text, award.text
    async with app.db.session() as session:
        [given] = (await session.scalars(select(Award))).all()
    assert given.title == "Team Player"
    assert NOT_FOUND.format("@bob") in (await app.send.command("/reward", '@bob "Team Player"')).text
    assert ":warning:" not in (await app.send.command("/reward", "catalogue")).text
