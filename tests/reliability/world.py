"""A small sales team with one of everything, and the targets that buttons and modals act on.

ADMIN is a workspace admin with the manager role (so leads go to the reps), REP and PEER are reps.
Each `new_*` helper makes a fresh target through the real commands (or, where only a scheduled job
makes one, through the storage module the job uses) and returns its id.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

from sqlalchemy import select

from storage import points
from storage.models import (
    CatalogueItem,
    Customer,
    Deal,
    Idea,
    KudosGive,
    Member,
    Redemption,
    StandupPrompt,
    Training,
    utcnow,
)
from tests.factories import NominationFactory, TrainingFactory, persist
from tests.reliability.effects import settled
from tests.slack_requests import checkbox_value, text_value

ADMIN, REP, PEER = "U0001", "U0002", "U0003"
_months = itertools.count()
TODAY = utcnow().date()  # the members' today (they are on UTC)
FAR = (utcnow() + dt.timedelta(days=200)).date()  # a date in the future, within a year (sessions)


async def command(app, name: str, text: str, **kwargs: Any):
    """A slash command, once all the work it started is done."""
    (reply,) = await settled(app.send.command(name, text, **kwargs))
    return reply


async def meet(app) -> None:
    app.fake.add_user(ADMIN, is_admin=True)
    for user in (ADMIN, REP, PEER):
        await command(app, "/kudos", "help", user=user)
    await command(app, "/team", f"role <@{ADMIN}> manager", user=ADMIN)
    await command(app, "/dealbell", "kudos allowance 100", user=ADMIN)  # many gives in one test


async def member(app, slack_id: str) -> Member:
    async with app.db.session() as session:
        return await session.scalar(select(Member).where(Member.slack_user_id == slack_id))


async def slack_id(app, member_id: int) -> str:
    async with app.db.session() as session:
        return await session.scalar(select(Member.slack_user_id).where(Member.id == member_id))


async def newest(app, model, **where: Any):
    async with app.db.session() as session:
        query = select(model).filter_by(**where).order_by(model.id.desc()).limit(1)
        return await session.scalar(query)


def sent_to(app, channel: str) -> list[dict[str, Any]]:
    return [c.args for c in app.fake.calls_to("chat.postMessage") if c.args.get("channel") == channel]


def button(blocks: list[dict[str, Any]], action_id: str) -> str:
    for block in blocks:
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("action_id") == action_id:
                return element["value"]
    raise AssertionError(f"no {action_id} button")


# --- targets -------------------------------------------------------------------------------------


async def new_deal(app, name: str, *, stage: str = "proposal", owner: str = ADMIN) -> int:
    reply = await command(app, "/deal", f"new 10k {name} stage:{stage}", user=owner)
    assert reply.status == 200, reply.text
    return (await newest(app, Deal)).id


async def won_deal(app, name: str) -> int:
    await command(app, "/deal", f"won 10k {name}", user=ADMIN)
    return (await newest(app, Deal)).id


async def new_idea(app, name: str) -> int:
    await command(app, "/idea", f"Idea {name}", user=ADMIN)
    return (await newest(app, Idea)).id


async def new_event(app, name: str) -> int:
    await command(app, "/training", f'event "Dinner {name}" {FAR} 19:00 <#C0TR|tr>', user=ADMIN)
    return (await newest(app, Training)).id


async def started_session(app, name: str) -> int:
    """A session that began an hour ago (only then is attendance taken); /training refuses the past."""
    admin = await member(app, ADMIN)
    async with app.db.session() as session:
        [training] = await persist(session, TrainingFactory(
            organiser=admin, kind="training", title=f"Session {name}", starts_at=utcnow() - dt.timedelta(hours=1),
            timezone="UTC", channel_id="C0TR",
        ))  # fmt: skip
        return training.id


async def give_points(app, slack_id: str, amount: int, key: str) -> None:
    found = await member(app, slack_id)
    async with app.db.session() as session:
        await points.record(session, found.workspace_id, found.id, amount, reason="award",
                            reference="seed", source_key=f"seed:{key}")  # fmt: skip


async def new_item(app, name: str) -> int:
    await command(app, "/reward", f'catalogue add "Mug {name}" 10', user=ADMIN)
    return (await newest(app, CatalogueItem)).id


async def new_redemption(app, name: str) -> int:
    item = await new_item(app, name)
    await give_points(app, REP, 10, f"redeem-{name}")
    await command(app, "/reward", f"redeem {item}", user=REP)
    return (await newest(app, Redemption)).id


async def new_nomination(app, name: str) -> int:
    """What the monthly nominations job writes: a candidate awaiting Announce or Skip."""
    peer = await member(app, PEER)
    month = f"20{10 + next(_months)}-11"  # one nomination per (month, kind): a month each
    async with app.db.session() as session:
        [nomination] = await persist(session, NominationFactory(
            member=peer, month=month, kind="sales-champion", detail='{"amount": 1250000, "currency": "USD"}'
        ))  # fmt: skip
        return nomination.id


async def new_give(app, name: str) -> int:
    await command(app, "/kudos", f"<@{PEER}|peer> for the {name} demo", user=ADMIN)
    return (await newest(app, KudosGive)).id


async def new_lead(app, name: str) -> tuple[int, int]:
    """(deal id, owner id) of a new lead, given to REP or PEER."""
    await command(app, "/lead", f'new "Lead {name}" source:web', user=ADMIN)
    lead = await newest(app, Deal)
    return lead.id, lead.owner_id


async def new_customer(app, name: str) -> int:
    await command(app, "/customer", f'add "Cust {name}" owner:<@{REP}|rep>', user=ADMIN)
    return (await newest(app, Customer)).id


async def new_standup_run(app, name: str) -> int:
    """A standup with REP in it, prompted now: the run REP answers."""
    values = {
        "name": text_value(f"Standup {name}"),
        "channel": {"value": {"type": "conversations_select", "selected_conversation": f"C0S{name}"}},
        "participants": {"value": {"type": "multi_users_select", "selected_users": [REP]}},
        "questions": text_value("What did you do?\nWhat next?"),
        "days": checkbox_value(*map(str, range(7))),
        "time": {"value": {"type": "timepicker", "selected_time": "09:00"}},
        "zone": {"value": {"type": "radio_buttons", "selected_option": {"value": "workspace"}}},
    }
    await settled(app.send.view_submission("standup_setup", values, view_id=f"VSETUP{name}", user=ADMIN))
    await command(app, "/standup", "now", user=ADMIN, channel=f"C0S{name}")
    prompt = await newest(app, StandupPrompt)
    return prompt.run_id


async def new_feedback_dm(app, name: str) -> str:
    """Feedback from PEER to REP; the Reply button's (sealed) value in REP's DM."""
    await command(app, "/feedback", f"<@{REP}|rep> great {name} demo", user=PEER)
    return button(sent_to(app, REP)[-1]["blocks"], "feedback_reply")


async def new_feedback_ask(app, name: str) -> str:
    """ADMIN asks REP for feedback on PEER; the Give-feedback button's (sealed) value in REP's DM."""
    await command(app, "/feedback", f"request <@{PEER}|peer> from <@{REP}|rep>", user=ADMIN)
    return button(sent_to(app, REP)[-1]["blocks"], "feedback_give")


def select_payload(app, action_id: str, *, user: str, block_id: str = "b", **chosen: Any) -> dict[str, Any]:
    """A select menu's block action: `chosen` is selected_option={...} or selected_user="U…"."""
    data = app.send.action_payload(action_id, "", user=user)
    data["actions"][0].pop("value", None)
    data["actions"][0].update(type="static_select", block_id=block_id, **chosen)
    return data


def home_payload(app, action_id: str, value: str, *, user: str, view_id: str) -> dict[str, Any]:
    """A click on the App Home: no channel, no message, no response_url, but the view."""
    data = app.send.action_payload(action_id, value, user=user)
    for key in ("channel", "message", "response_url"):
        data.pop(key, None)
    data["container"] = {"type": "view", "view_id": view_id}
    data["view"] = {"id": view_id, "hash": f"h-{view_id}", "type": "home", "callback_id": ""}
    return data


def metadata(**fields: Any) -> str:
    return json.dumps(fields)
