"""Block Kit for training sessions and team events: the card, the list, the reminder, the modal."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from bot.kit import blocks as bk
from bot.kit.format import mention, people
from bot.kit.i18n import t
from bot.kit.views.modal import catalogue_modal
from bot.kit.views.training import when
from storage.models import Member, Training

CHECKBOXES_PER_BLOCK = 10  # Slack's limit on a checkbox group's options
MAX_OTHERS = 100


def slack_date(moment: dt.datetime, fallback: str) -> str:
    """Slack shows this in each reader's own zone; `fallback` where it cannot."""
    return f"<!date^{int(moment.timestamp())}^{{date_long_pretty}} {{time}}|{fallback}>"


def kind_name(training: Training, locale: str | None) -> str:
    return t(locale, f"training.kind.{training.kind}")


def card(
    training: Training,
    going: list[Member],
    not_going: list[Member],
    attended: list[Member] | None,
    locale: str | None,
) -> tuple[str, list[bk.Block]]:
    """The public card: (fallback text, blocks), with Going / Not going / Mark attendance buttons."""
    title = bk.escape(training.title)
    in_organiser_zone = when(training.starts_at, training.timezone, locale)
    text = t(
        locale, "training.card.text", kind=kind_name(training, locale), title=title, when=in_organiser_zone
    )
    answers = [
        t(locale, "training.card.going", count=len(going), people=people(going))
        if going
        else t(locale, "training.card.nobody")
    ]
    if not_going:
        answers.append(t(locale, "training.card.not_going", count=len(not_going)))
    blocks = [
        bk.section(
            "\n".join(
                (
                    t(locale, "training.card.title", kind=kind_name(training, locale), title=title),
                    t(locale, "training.card.when", when=slack_date(training.starts_at, in_organiser_zone)),
                    t(
                        locale,
                        "training.card.organiser",
                        organiser=mention(training.organiser),
                        id=training.id,
                    ),
                )
            ),
            block_id="training_text",
        ),
        bk.context(" · ".join(answers), block_id="training_answers"),
    ]
    if attended is not None and training.attendance_taken_at is not None:
        blocks.append(
            bk.context(
                t(locale, "training.card.attended", count=len(attended), people=people(attended))
                if attended
                else t(locale, "training.card.attended_none"),
                block_id="training_attended",
            )
        )
    value = str(training.id)
    blocks.append(
        bk.actions(
            bk.button(t(locale, "training.button.going"), "training_going", value, style="primary"),
            bk.button(t(locale, "training.button.not_going"), "training_not_going", value),
            bk.button(t(locale, "training.button.attendance"), "training_attendance", value),
            block_id="training_actions",
        )
    )
    return text, blocks


def session_list(
    coming: list[Training],
    answers: dict[int, bool],
    attended: list[Training],
    timezone: str,
    locale: str | None,
) -> tuple[str, list[bk.Block]]:
    """`/training`: what's coming up (with my answer) and what I attended, in my zone."""

    def line(training: Training, mine: str) -> str:
        return t(
            locale,
            "training.list.line",
            id=training.id,
            kind=kind_name(training, locale),
            title=bk.escape(training.title),
            when=when(training.starts_at, timezone, locale),
            mine=mine,
        )

    def my_answer(training: Training) -> str:
        if training.id not in answers:
            return ""
        return t(locale, "training.list.going" if answers[training.id] else "training.list.not_going")

    title = t(locale, "training.list.title")
    upcoming_text = "\n".join(line(s, my_answer(s)) for s in coming) or t(
        locale, "training.list.none_upcoming"
    )
    attended_text = "\n".join(line(s, "") for s in attended) or t(locale, "training.list.none_attended")
    return title, [
        bk.header(title),
        bk.section(f"{t(locale, 'training.list.upcoming')}\n{upcoming_text}", block_id="training_upcoming"),
        bk.section(f"{t(locale, 'training.list.attended')}\n{attended_text}", block_id="training_attended"),
    ]


def _checkbox(member: Member) -> bk.Block:
    return {"text": bk.mrkdwn(mention(member)), "value": member.slack_user_id}


def attendance_modal(
    training: Training,
    going: list[Member],
    attended: list[Member] | None,
    locale: str | None,
    channel_id: str | None,
) -> dict[str, Any]:
    """Checkboxes for the people who said Going (ticked: those marked before, else all of them),
    and a people picker for anyone else who came."""
    marked = {m.id for m in attended} if attended is not None else {m.id for m in going}
    body: list[bk.Block] = [
        bk.section(t(locale, "training.modal.heading", title=bk.escape(training.title)), block_id="heading")
    ]
    if not going:
        body.append(bk.context(t(locale, "training.modal.nobody_going"), block_id="nobody_going"))
    for index in range(0, len(going), CHECKBOXES_PER_BLOCK):
        group = going[index : index + CHECKBOXES_PER_BLOCK]
        element: bk.Block = {
            "type": "checkboxes",
            "action_id": "value",
            "options": [_checkbox(m) for m in group],
        }
        ticked = [_checkbox(m) for m in group if m.id in marked]
        if ticked:
            element["initial_options"] = ticked
        block_id = f"attended_{index // CHECKBOXES_PER_BLOCK}"
        body.append(bk.input_block(block_id, t(locale, "training.modal.attended"), element, optional=True))
    going_ids = {m.id for m in going}
    others = [m.slack_user_id for m in attended or [] if m.id not in going_ids]
    picker: bk.Block = {"type": "multi_users_select", "action_id": "value", "max_selected_items": MAX_OTHERS}
    if others:
        picker["initial_users"] = others
    body.append(bk.input_block("others", t(locale, "training.modal.others"), picker, optional=True))
    return catalogue_modal(
        locale,
        "training_attendance",
        body,
        keys="training.modal",
        metadata=json.dumps({"training": training.id, "channel": channel_id}),
    )


def checked_user_ids(state: dict[str, Any]) -> list[str]:
    """Every Slack user id ticked or picked in a submitted attendance modal, without repeats."""
    ids: list[str] = []
    for block_id in sorted(state.get("values", {})):
        if block_id.startswith("attended_") or block_id == "others":
            ids.extend(bk.input_value(state, block_id) or [])
    return list(dict.fromkeys(ids))
