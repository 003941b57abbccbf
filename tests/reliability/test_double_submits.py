"""Double submits and double clicks: every modal and every state-changing button or menu, sent twice.

Slack re-sends an interactive payload it got no answer to within 3 seconds, without a retry header,
and people double-click. The same payload twice, one after the other or at the same moment, must
do what it does once: the same rows added and removed, the same messages posted.

Each case builds a fresh target and the payload acting on it, and runs twice on two targets: the
payload sent twice in a row, and twice at once. Both must do exactly the case's `counts`, what one
payload does (rows added per table, messages posted per method), so a payload that does nothing
fails too. A manager's or admin's action writes its one audit row (storage/audit.py), once.
Buttons that only open a modal (deal_lost, deal_edit, deal_reassign, training_attendance, feedback_reply,
feedback_give, privacy_open, standup_answer) or only show something (followup_open, deal_open) change
nothing and are not listed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select

from handlers.features import discover
from storage import home
from storage.customers import set_customer
from storage.models import CrmConnection, Workspace
from storage.workspaces import Profile, save_member
from tests.factories import FeedbackFactory, persist
from tests.reliability import world as w
from tests.reliability.effects import changed, row_counts, settled
from tests.reliability.world import ADMIN, PEER, REP
from tests.slack_requests import checkbox_value, date_value, external_value, select_value, text_value

Payload = dict[str, Any]
# Messages that show the work, counted per method; notes to the clicker ("already done") are not.
# A card redrawn (chat.update) shows that a click worked; a second click may redraw it again.
POSTS = ("chat.postMessage", "chat.update", "chat.delete")


def click(app, action_id: str, value: str, user: str = REP, **where: Any) -> Payload:
    return app.send.action_payload(action_id, value, user=user, **where)


def submit(app, callback_id: str, values: dict, name: str, user: str = REP, **meta: Any) -> Payload:
    return app.send.view_payload(
        callback_id, values, view_id=f"V{callback_id}-{name}", user=user, private_metadata=w.metadata(**meta)
    )


# --- one builder per case: make the target, return the payload ------------------------------------


async def deal_advance(app, name):
    return click(app, "deal_advance", f"{await w.new_deal(app, name)}:negotiation", user=ADMIN)


async def deal_won(app, name):
    return click(app, "deal_won", f"{await w.new_deal(app, name)}:won", user=ADMIN)


async def deal_congratulate(app, name):
    return click(app, "deal_congratulate", str(await w.won_deal(app, name)))


async def training_going(app, name):
    return click(app, "training_going", str(await w.new_event(app, name)))


async def training_not_going(app, name):
    return click(app, "training_not_going", str(await w.new_event(app, name)))


async def nomination_announce(app, name):
    return click(app, "rewards_nomination_announce", str(await w.new_nomination(app, name)), user=ADMIN)


async def nomination_skip(app, name):
    return click(app, "rewards_nomination_skip", str(await w.new_nomination(app, name)), user=ADMIN)


async def redemption_approve(app, name):
    return click(app, "rewards_redemption_approve", str(await w.new_redemption(app, name)), user=ADMIN)


async def redemption_decline(app, name):
    return click(app, "rewards_redemption_decline", str(await w.new_redemption(app, name)), user=ADMIN)


async def kudos_metoo(app, name):
    return click(app, "kudos_metoo", str(await w.new_give(app, name)))


async def kudos_undo(app, name):
    return click(app, "kudos_undo", str(await w.new_give(app, name)), user=ADMIN)


async def lead_accept(app, name):
    deal, owner = await w.new_lead(app, name)
    return click(app, "lead_accept", f"{deal}:{owner}", user=(await w.slack_id(app, owner)))


async def lead_pass(app, name):
    deal, owner = await w.new_lead(app, name)
    return click(app, "lead_pass", f"{deal}:{owner}", user=(await w.slack_id(app, owner)))


async def lead_reassign(app, name):
    deal, owner = await w.new_lead(app, name)
    other = PEER if await w.slack_id(app, owner) == REP else REP
    return w.select_payload(
        app, "lead_reassign", user=ADMIN, block_id=f"lead_reassign:{deal}", selected_user=other
    )


async def home_redeem(app, name):
    item = await w.new_item(app, name)
    await w.give_points(app, REP, 10, f"home-{name}")
    return w.home_payload(app, "home_redeem", str(item), user=REP, view_id=f"VHOME{name}")


async def home_order_toggle(app, name):
    """A manager's "Show my numbers first", from the team-first order (each target starts there)."""
    manager = await w.member(app, ADMIN)
    async with app.db.session() as session:
        await home.set_home_order(session, manager.workspace_id, manager.id, personal_first=False)
    return w.home_payload(app, "home_order_toggle", "personal", user=ADMIN, view_id=f"VORDER{name}")


async def stored_customer(app, name: str) -> int:
    """A customer written directly (a /customer add could itself be asked "Did you mean…?")."""
    async with app.db.session() as session:
        workspace = await session.scalar(select(Workspace))
        return (await set_customer(session, workspace.id, name)).customer.id


async def customer_pick(app, name):  # "Did you mean…?" of /customer add: yes, the close one
    await stored_customer(app, f"Pick {name}")
    return click(app, "customer_pick", json.dumps({"verb": "add", "name": f"Pick {name}", "segment": "vip"}))


async def customer_pick_new(app, name):  # …no, add the typed name
    return click(
        app, "customer_pick_new", json.dumps({"verb": "add", "name": f"Typed {name}", "confirmed": True})
    )


async def deal_customer_pick(app, name):  # "Did you mean…?" of /deal new: yes, the close one
    customer = await stored_customer(app, f"Close {name}")
    request = {"text": f"new 5k Clsoe {name}", "trigger": f"trigger.pick.{name}", "customer": customer}
    return click(app, "deal_customer_pick", json.dumps(request))


async def deal_customer_pick_new(app, name):  # …no, create the typed one
    request = {"text": f"new 5k Typo {name}", "trigger": f"trigger.picknew.{name}", "customer": 0}
    return click(app, "deal_customer_pick_new", json.dumps(request))


async def ideas_upvote(app, name):
    return click(app, "ideas_upvote", str(await w.new_idea(app, name)))


async def ideas_status(app, name):
    idea = await w.new_idea(app, name)
    return w.select_payload(app, "ideas_status", user=ADMIN, selected_option={"value": f"{idea}:planned"})


async def followup_done(app, name):
    return click(app, "followup_done", f"c:{await w.new_customer(app, name)}:{w.TODAY}")


async def followup_snooze(app, name):
    return click(app, "followup_snooze", f"c:{await w.new_customer(app, name)}:{w.TODAY}")


async def deal_new_modal(app, name):
    values = {"customer": text_value(f"Cust {name}"), "title": text_value("Licence"), "amount": text_value("12.5k"),
              "currency": select_value("EUR"), "stage": select_value("won"), "close": date_value(None),
              "notes": text_value(None)}  # fmt: skip
    return submit(app, "deal_new", values, name, channel="C0001")


async def deal_lost_modal(app, name):
    deal = await w.new_deal(app, name)
    values = {"competitor": text_value("Globex"), "reason": text_value("price")}
    return submit(app, "deal_lost", values, name, user=ADMIN, deal=deal)


async def deal_reopen(app, name):
    return click(app, "deal_reopen", str(await w.won_deal(app, name)), user=ADMIN)


async def deal_delete(app, name):
    return click(app, "deal_delete", str(await w.new_deal(app, name)), user=ADMIN)


async def held_win(app, name) -> int:
    """A rep's win above the approval threshold, held for the manager (the threshold is off again after)."""
    await w.command(app, "/deal", "approval 1", user=ADMIN)
    await w.command(app, "/deal", f"won 10k {name}", user=REP)
    await w.command(app, "/deal", "approval off", user=ADMIN)
    return (await w.newest(app, w.Deal)).id


async def deal_approve(app, name):
    return click(app, "deal_approve", str(await held_win(app, name)), user=ADMIN)


async def deal_decline(app, name):
    return click(app, "deal_decline", str(await held_win(app, name)), user=ADMIN)


async def deal_edit_modal(app, name):
    deal = await w.new_deal(app, name)
    values = {"customer": external_value("customer_search", f"Edited {name}"), "title": text_value("Pilot"), "amount": text_value("20k"),
              "currency": select_value("USD"), "stage": select_value("proposal"), "close": date_value(None),
              "notes": text_value(None)}  # fmt: skip
    return submit(app, "deal_edit", values, name, user=ADMIN, deal=deal)


async def deal_reassign_modal(app, name):
    deal = await w.new_deal(app, name)
    values = {"owner": {"value": {"type": "users_select", "selected_user": REP}}}
    return submit(app, "deal_reassign", values, name, user=ADMIN, deal=deal)


async def kudos_modal(app, name):
    values = {"receivers": {"value": {"type": "multi_users_select", "selected_users": [PEER]}},
              "message": text_value(f"the {name} demo"), "value": select_value(None)}  # fmt: skip
    return submit(app, "kudos_new", values, name, channel="C0001")


async def lead_modal(app, name):
    values = {"company": text_value(f"Co {name}"), "source": text_value("web"), "amount": text_value("20k"),
              "notes": text_value(None)}  # fmt: skip
    return submit(app, "lead_new", values, name, user=ADMIN, channel="C0001")


async def settings_modal(app, name):
    values = {"channel_wins": {"value": {"type": "conversations_select", "selected_conversation": f"C{name}"}},
              "timezone": select_value("Asia/Shanghai"), "currency": text_value("eur"),
              "locale": select_value("en_US"), "workdays": checkbox_value("0", "1", "2", "3", "4"),
              "kudos_allowance": text_value("6"), "kudos_emoji": text_value(":tada:"),
              "kudos_values": text_value("teamwork, grit"), "charts": checkbox_value()}  # fmt: skip
    return submit(app, "settings_modal", values, name, user=ADMIN)


async def standup_setup_modal(app, name):
    values = {"name": text_value(f"Daily {name}"),
              "channel": {"value": {"type": "conversations_select", "selected_conversation": "C0DAILY"}},
              "participants": {"value": {"type": "multi_users_select", "selected_users": [REP, PEER]}},
              "questions": text_value("Yesterday?\nToday?"), "days": checkbox_value("0", "1", "2"),
              "time": {"value": {"type": "timepicker", "selected_time": "09:30"}},
              "zone": {"value": {"type": "radio_buttons", "selected_option": {"value": "workspace"}}}}  # fmt: skip
    return submit(app, "standup_setup", values, name, user=ADMIN, channel="C0001")


async def standup_answer_modal(app, name):
    run = await w.new_standup_run(app, name)
    values = {"q0": text_value("Called Acme"), "q1": text_value("Demo"), "blockers": text_value("None")}
    return submit(app, "standup_answer", values, name, run=run)


async def attendance_modal(app, name):
    training = await w.started_session(app, name)
    values = {"others": {"value": {"type": "multi_users_select", "selected_users": [REP, PEER]}}}
    return submit(app, "training_attendance", values, name, user=ADMIN, training=training)


async def feedback_reply_modal(app, name):
    token = await w.new_feedback_dm(app, name)
    return app.send.view_payload("feedback_reply", {"text": text_value("Thanks!")}, view_id=f"VREPLY{name}",
                                 user=REP, private_metadata=token)  # fmt: skip


async def feedback_answer_modal(app, name):
    token = await w.new_feedback_ask(app, name)
    values = {"text": text_value("Solid demos"), "anonymous": checkbox_value()}
    return submit(app, "feedback_answer", values, name, ticket=token)


async def privacy_modal(app, name):
    return submit(app, "privacy_modal", {"privacy_choices": checkbox_value("kudos_by_dm")}, name)


async def forget_modal(app, name):
    """Someone with feedback to them (deleted when they are forgotten), forgotten by the admin."""
    person = f"UFG{name}".upper()[:32]
    async with app.db.session() as session:
        workspace_id = (await w.member(app, ADMIN)).workspace_id
        receiver = await save_member(session, workspace_id, person, Profile(name=person))
        await persist(session, FeedbackFactory(receiver=receiver))
    return app.send.view_payload("forget_confirm", {}, view_id=f"VFORGET{name}", user=ADMIN,
                                 private_metadata=person)  # fmt: skip


async def crm_connect_modal(app, name):
    """An admin's `/dealbell connect hubspot` form (nothing is asked of HubSpot on submit)."""
    values = {
        "account": text_value(f"portal{name}"),
        "token": text_value("pat-token"),
        "client_secret": text_value("app-secret"),
        "base_url": text_value(""),
        "since": date_value(None),
    }
    async with app.db.session() as session:  # a fresh target: the workspace's one HubSpot connection goes
        await session.execute(delete(CrmConnection))
    return app.send.view_payload("crm_connect", values, view_id=f"VCRM{name}", user=ADMIN,
                                 private_metadata="hubspot")  # fmt: skip


async def follow_up_modal(app, name):
    await w.new_customer(app, name)
    values = {"customer": text_value(f"Cust {name}"), "kind": select_value("call"), "note": text_value(None),
              "next": date_value(None)}  # fmt: skip
    return submit(app, "shortcut_follow_up", values, name, channel="C0001")


async def feedback_request_modal(app, name):
    values = {"subject": {"value": {"type": "users_select", "selected_user": REP}},
              "askees": {"value": {"type": "multi_users_select", "selected_users": [PEER]}}}  # fmt: skip
    return submit(app, "shortcut_feedback_request", values, name, user=ADMIN)


@dataclass(frozen=True)
class Case:
    feature: str
    listener: str  # "action:<action_id>" or "view:<callback_id>"
    build: Callable[[Any, str], Awaitable[Payload]]
    counts: dict[str, int]  # what one payload does: rows added per table, messages posted per method


CASES = [
    # buttons and menus
    Case("deals", "action:deal_advance", deal_advance, {"deal_stage_changes": 1, "deal_history": 1}),
    Case("deals", "action:deal_won", deal_won,
         {"deal_stage_changes": 1, "deal_history": 1, "slack_outbox": 1, "chat.postMessage": 1}),
    Case("deals", "action:deal_reopen", deal_reopen,
         {"deal_stage_changes": 1, "deal_history": 1, "slack_outbox": 1, "chat.update": 1}),
    Case("deals", "action:deal_delete", deal_delete, {"deals": -1, "deal_stage_changes": -1, "deal_history": 1}),
    Case("deals", "action:deal_approve", deal_approve, {"deal_history": 1, "chat.postMessage": 1, "audit_log": 1}),
    Case("deals", "action:deal_decline", deal_decline,
         {"deal_history": 1, "deal_stage_changes": 1, "chat.postMessage": 1, "audit_log": 1}),
    Case("deals", "action:deal_congratulate", deal_congratulate, {"deal_congratulations": 1, "chat.update": 1}),
    Case("training", "action:training_going", training_going, {"training_rsvps": 1, "chat.update": 1}),
    Case("training", "action:training_not_going", training_not_going, {"training_rsvps": 1, "chat.update": 1}),
    Case("rewards", "action:rewards_nomination_announce", nomination_announce,
         {"awards": 1, "points_ledger": 1, "chat.postMessage": 1, "chat.update": 1, "audit_log": 1}),
    Case("rewards", "action:rewards_nomination_skip", nomination_skip, {"chat.update": 1, "audit_log": 1}),
    Case("rewards", "action:rewards_redemption_approve", redemption_approve,
         {"chat.postMessage": 1, "chat.update": 1, "audit_log": 1}),
    Case("rewards", "action:rewards_redemption_decline", redemption_decline,
         {"points_ledger": 1, "chat.postMessage": 1, "chat.update": 1, "audit_log": 1}),
    Case("kudos", "action:kudos_metoo", kudos_metoo, {"kudos": 1, "points_ledger": 1, "chat.update": 1}),
    Case("kudos", "action:kudos_undo", kudos_undo,
         {"kudos_gives": -1, "kudos": -1, "points_ledger": 1, "chat.update": 1}),
    Case("leads", "action:lead_accept", lead_accept, {"chat.update": 1}),
    Case("leads", "action:lead_pass", lead_pass, {"chat.postMessage": 1, "chat.update": 1}),
    Case("leads", "action:lead_reassign", lead_reassign, {"chat.postMessage": 2, "audit_log": 1}),
    Case("home", "action:home_redeem", home_redeem, {"redemptions": 1, "points_ledger": 1, "chat.postMessage": 1}),
    Case("home", "action:home_order_toggle", home_order_toggle, {"home_personal_first": 1}),
    Case("customers", "action:customer_pick", customer_pick, {}),  # updates the customer's segment
    Case("customers", "action:customer_pick_new", customer_pick_new, {"customers": 1}),
    Case("customers", "action:deal_customer_pick", deal_customer_pick,
         {"deals": 1, "deal_stage_changes": 1, "deal_history": 1}),
    Case("customers", "action:deal_customer_pick_new", deal_customer_pick_new,
         {"customers": 1, "deals": 1, "deal_stage_changes": 1, "deal_history": 1}),
    Case("ideas", "action:ideas_upvote", ideas_upvote, {"idea_votes": 1, "chat.update": 1}),
    Case("ideas", "action:ideas_status", ideas_status, {"chat.update": 1, "audit_log": 1}),
    Case("followups", "action:followup_done", followup_done, {"activities": 1}),
    Case("followups", "action:followup_snooze", followup_snooze, {}),  # moves a date: only a redraw shows it
    # modals
    Case("deals", "view:deal_new", deal_new_modal,
         {"customers": 1, "deals": 1, "deal_stage_changes": 1, "deal_history": 1, "slack_outbox": 1,
          "chat.postMessage": 1}),
    Case("deals", "view:deal_lost", deal_lost_modal, {"deal_stage_changes": 1, "deal_history": 1}),
    Case("deals", "view:deal_edit", deal_edit_modal, {"customers": 1, "deal_history": 3}),  # customer, title, amount
    Case("deals", "view:deal_reassign", deal_reassign_modal, {"deal_history": 1, "audit_log": 1}),
    Case("kudos", "view:kudos_new", kudos_modal,
         {"kudos_gives": 1, "kudos": 1, "points_ledger": 1, "chat.postMessage": 1}),
    Case("leads", "view:lead_new", lead_modal,
         {"deals": 1, "customers": 1, "deal_stage_changes": 1, "deal_history": 1, "chat.postMessage": 1}),
    Case("settings", "view:settings_modal", settings_modal, {}),  # updates the workspace row only
    Case("standups", "view:standup_setup", standup_setup_modal,
         {"standups": 1, "standup_participants": 2, "audit_log": 1}),
    Case("standups", "view:standup_answer", standup_answer_modal, {"standup_answers": 1}),
    Case("training", "view:training_attendance", attendance_modal, {"training_attendance": 2}),
    Case("feedback", "view:feedback_reply", feedback_reply_modal, {"processed_events": 1, "chat.postMessage": 1}),
    Case("feedback", "view:feedback_answer", feedback_answer_modal, {"feedback": 1, "chat.postMessage": 1}),
    Case("admin", "view:privacy_modal", privacy_modal, {}),  # updates the member row; a DM to them only
    Case("admin", "view:forget_confirm", forget_modal, {"feedback": -1, "audit_log": 1}),  # the rest is updates
    Case("admin", "view:crm_connect", crm_connect_modal, {"crm_connections": 1, "audit_log": 1}),  # and a DM to the admin
    Case("shortcuts", "view:shortcut_follow_up", follow_up_modal, {"activities": 1}),
    Case("shortcuts", "view:shortcut_feedback_request", feedback_request_modal,
         {"feedback_requests": 1, "chat.postMessage": 1, "audit_log": 1}),  # the ask to PEER; ADMIN's note is a DM
]  # fmt: skip


def posts_since(app, start: int, actor: str) -> dict[str, int]:
    """Accepted posts per method, except the bot's DMs to the actor (a note that it was done, or already)."""
    made: dict[str, int] = {}
    for call in app.fake.calls[start:]:
        if call.method in POSTS and call.ok and call.args.get("channel") not in (actor, f"D{actor}"):
            made[call.method] = made.get(call.method, 0) + 1
    return made


def without_redraws(effect: dict[str, int]) -> dict[str, int]:
    """A second click may redraw the same card again (it shows the same state); it may not post again."""
    return {k: v for k, v in effect.items() if k != "chat.update"}


async def effect(app, payload: Payload, times: int, together: bool) -> tuple[dict[str, int], list[int]]:
    """Rows added (per table) and messages posted (per method) by sending `payload` `times` times,
    and the HTTP statuses answered."""
    rows, start = await row_counts(app.db), len(app.fake.calls)
    replies = await settled(*(app.send.interactive(payload) for _ in range(times)), together=together)
    done = changed(rows, await row_counts(app.db)) | posts_since(app, start, payload["user"]["id"])
    return done, [r.status for r in replies]


def differs(done: dict[str, int], counts: dict[str, int]) -> bool:
    """Posts and rows must match exactly; a redraw must happen when one is expected (maybe twice)."""
    missing_redraw = "chat.update" in counts and "chat.update" not in done
    return without_redraws(done) != without_redraws(counts) or missing_redraw


async def test_every_state_changing_payload_applies_once(app, caplog):
    caplog.set_level(logging.ERROR)
    await w.meet(app)
    failures = []
    for n, case in enumerate(CASES):
        for together in (False, True):
            caplog.clear()
            done, statuses = await effect(app, await case.build(app, f"{n}{together}"), 2, together)
            errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]  # failed midway
            if differs(done, case.counts) or statuses != [200, 200] or errors:
                how = "at once" if together else "in a row"
                failures.append(f"{case.feature}/{case.listener} twice {how}: answered {statuses}, did {done}"
                                f" (once does {case.counts}), errors {errors}")  # fmt: skip
    assert not failures, "\n".join(failures)


# Listeners that open a modal or show something and change nothing.
OPENERS = {"deal_lost", "training_attendance", "feedback_reply", "feedback_give", "standup_answer",
           "followup_open", "privacy_open", "deal_open", "deal_edit", "deal_reassign"}  # fmt: skip


def registered(kind: str) -> set[str]:
    """The action ids or view callback ids every feature declares."""
    return {key for feature in discover() for key in getattr(feature, f"{kind}s")}


def test_every_modal_and_state_changing_action_has_a_case():
    listed = {case.listener for case in CASES}
    assert {f"view:{v}" for v in registered("view")} == {c for c in listed if c.startswith("view:")}
    assert {f"action:{a}" for a in registered("action") - OPENERS} == {
        c for c in listed if c.startswith("action:")
    }
