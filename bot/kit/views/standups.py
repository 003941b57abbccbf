"""Block Kit for standups: the setup and answer modals, the DMs, the summary, the lists (pure)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from babel.dates import format_date, get_day_names

from bot.kit import blocks as bk
from bot.kit.format import mention, money_text, people, plural, stage_name
from bot.kit.i18n import CATALOGUE, LANGUAGES, babel_locale, t
from bot.kit.views.modal import catalogue_modal
from storage.models import Holiday, Member, Standup, StandupRun, Workspace
from storage.periods import workspace_zone
from storage.standups import MAX_ANSWER, MAX_NAME, MAX_PARTICIPANTS, LogEntry, RunReport

MAX_PEOPLE_SECTIONS = 40  # a message holds 50 blocks; the rest of the summary needs a few
PREFILL_NOTE_LIMIT = 120


def answer_block(index: int) -> str:
    """The block id of the answer form's input for question `index`."""
    return f"q{index}"


def date_text(day: dt.date, locale: str | None) -> str:
    return format_date(day, "full", locale=babel_locale(locale))


def weekday_names(days: list[int], locale: str | None) -> str:
    names = get_day_names("abbreviated", locale=babel_locale(locale))
    separator = "、" if babel_locale(locale).startswith("zh") else ", "
    return separator.join(str(names[d]) for d in sorted(days))


def zone_text(standup: Standup, workspace: Workspace, locale: str | None) -> str:
    if standup.member_zones:
        return t(locale, "standups.zone.member")
    return workspace_zone(workspace)


def schedule_text(standup: Standup, workspace: Workspace, locale: str | None) -> str:
    return t(
        locale,
        "standups.schedule",
        days=weekday_names(standup.weekdays, locale),
        at=standup.at,
        zone=zone_text(standup, workspace, locale),
    )


def usage(locale: str | None) -> str:
    return t(locale, "standups.usage")


# --- lists ---------------------------------------------------------------------------------------


def standup_list(
    standups: list[Standup], counts: dict[int, int], workspace: Workspace, locale: str | None
) -> str:
    if not standups:
        return t(locale, "standups.list.empty")
    lines = [
        plural(
            locale,
            "standups.list.line",
            counts.get(s.id, 0),
            id=s.id,
            name=bk.escape(s.name),
            channel=s.channel_id,
            schedule=schedule_text(s, workspace, locale),
        )
        for s in standups
    ]
    return t(locale, "standups.list.title") + "\n" + "\n".join(lines)


def holiday_list(holidays: list[Holiday], locale: str | None) -> str:
    if not holidays:
        return t(locale, "standups.holidays.empty")
    lines = [
        t(locale, "standups.holidays.line", date=h.day.isoformat(), name=bk.escape(h.name)).rstrip(" ·")
        for h in holidays
    ]
    return t(locale, "standups.holidays.title") + "\n" + "\n".join(lines)


def out_of_office(member: Member, locale: str | None) -> str:
    if member.ooo_from is None or member.ooo_until is None:
        return t(locale, "standups.ooo.none")
    return t(
        locale, "standups.ooo.shown", start=member.ooo_from.isoformat(), end=member.ooo_until.isoformat()
    )


# --- the setup modal -----------------------------------------------------------------------------


def default_questions(locale: str | None) -> str:
    return t(locale, "standups.setup.default_questions")


def questions_for(questions: list[str], locale: str | None) -> list[str]:
    """A standup's questions as the reader reads them: the default questions, left as offered in any
    language, in the reader's; questions a manager wrote, as written."""
    offered = {tuple(default_questions(language).splitlines()) for language in LANGUAGES}
    return default_questions(locale).splitlines() if tuple(questions) in offered else list(questions)


def setup_modal(workspace: Workspace, locale: str | None, channel_id: str | None) -> dict[str, Any]:
    names = get_day_names("wide", locale=babel_locale(locale))
    day_options = [bk.option(str(names[d]), str(d)) for d in range(7)]
    workdays = set(workspace.working_weekdays)
    channel: dict[str, Any] = {
        "type": "conversations_select",
        "action_id": "value",
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if channel_id and channel_id[:1] in ("C", "G"):
        channel["initial_conversation"] = channel_id
    questions = bk.text_input(
        "questions",
        t(locale, "standups.setup.questions"),
        initial=default_questions(locale),
        multiline=True,
        max_length=2000,
    )
    questions["hint"] = bk.plain(t(locale, "standups.setup.questions_hint"))
    zone_options = [
        bk.option(t(locale, "standups.setup.zone_workspace", zone=workspace_zone(workspace)), "workspace"),
        bk.option(t(locale, "standups.setup.zone_member"), "member"),
    ]
    body = [
        bk.text_input(
            "name",
            t(locale, "standups.setup.name"),
            optional=True,
            placeholder=t(locale, "standups.default_name"),
            max_length=MAX_NAME,
        ),
        bk.input_block("channel", t(locale, "standups.setup.channel"), channel),
        bk.input_block(
            "participants",
            t(locale, "standups.setup.participants"),
            {"type": "multi_users_select", "action_id": "value", "max_selected_items": MAX_PARTICIPANTS},
        ),
        questions,
        bk.input_block(
            "days",
            t(locale, "standups.setup.days"),
            {
                "type": "checkboxes",
                "action_id": "value",
                "options": day_options,
                "initial_options": [o for o in day_options if int(o["value"]) in workdays],
            },
        ),
        bk.input_block(
            "time",
            t(locale, "standups.setup.time"),
            {"type": "timepicker", "action_id": "value", "initial_time": "09:00"},
        ),
        bk.input_block(
            "zone",
            t(locale, "standups.setup.zone"),
            {
                "type": "radio_buttons",
                "action_id": "value",
                "options": zone_options,
                "initial_option": zone_options[0],
            },
        ),
    ]
    return catalogue_modal(
        locale, "standup_setup", body, keys="standups.setup", metadata=json.dumps({"channel": channel_id})
    )


# --- the DMs -------------------------------------------------------------------------------------


def answer_button(run_id: int, locale: str | None, *, edit: bool = False) -> bk.Block:
    label = "standups.button.edit" if edit else "standups.button.answer"
    return bk.button(t(locale, label), "standup_answer", str(run_id), style=None if edit else "primary")


def prompt(standup: Standup, run: StandupRun, locale: str | None) -> tuple[str, list[bk.Block]]:
    """The DM asking for today's answer, with the Answer button."""
    text = t(locale, "standups.prompt.text", name=bk.escape(standup.name), date=date_text(run.day, locale))
    blocks = [
        bk.section(text, block_id="standup_prompt"),
        bk.actions(answer_button(run.id, locale), block_id="standup_prompt_actions"),
        bk.context(t(locale, "standups.prompt.prefilled")),
    ]
    return text, blocks


def answered(standup: Standup, run: StandupRun, late: bool, locale: str | None) -> tuple[str, list[bk.Block]]:
    """The prompt DM once answered: thanks, and a button to edit the answer."""
    key = "standups.answered.late" if late else "standups.answered.text"
    text = t(locale, key, name=bk.escape(standup.name), date=date_text(run.day, locale))
    blocks = [
        bk.section(text, block_id="standup_prompt"),
        bk.actions(answer_button(run.id, locale, edit=True), block_id="standup_prompt_actions"),
    ]
    return text, blocks


def reminder(standup: Standup, run: StandupRun, locale: str | None) -> tuple[str, list[bk.Block]]:
    text = t(locale, "standups.reminder.text", name=bk.escape(standup.name), date=date_text(run.day, locale))
    blocks = [
        bk.section(text, block_id="standup_reminder"),
        bk.actions(answer_button(run.id, locale), block_id="standup_reminder_actions"),
    ]
    return text, blocks


# --- the answer modal ----------------------------------------------------------------------------


def kind_name(kind: str, locale: str | None) -> str:
    key = f"customers.kind.{kind}"
    return t(locale, key) if key in CATALOGUE["en"] else kind


def log_line(entry: LogEntry, locale: str | None) -> str:
    """One line of the pre-filled answer; plain text (an input's initial value), so nothing is escaped."""
    amount = money_text(entry.money, locale) if entry.money else ""
    if entry.kind == "activity":
        note = " ".join(entry.note.split())
        if len(note) > PREFILL_NOTE_LIMIT:
            note = note[: PREFILL_NOTE_LIMIT - 1] + "…"
        key = "standups.prefill.activity_note" if note else "standups.prefill.activity"
        return t(locale, key, kind=kind_name(entry.activity, locale), customer=entry.customer, note=note)
    return t(
        locale,
        f"standups.prefill.{entry.kind}",
        customer=entry.customer,
        amount=amount,
        stage=stage_name(entry.stage, locale),
    )


def prefill_text(entries: list[LogEntry], locale: str | None) -> str:
    return bk.truncate("\n".join(log_line(e, locale) for e in entries), MAX_ANSWER)


def answer_modal(
    standup: Standup,
    run: StandupRun,
    locale: str | None,
    *,
    answers: list[str] | None,
    blockers: str,
    prefill: str,
    since: dt.datetime | None,
) -> dict[str, Any]:
    """One input per question, the last question being the blockers input.

    A first answer starts from `prefill` (what the rep logged since their last answer) in the
    first question; an edit starts from the answer given.
    """
    questions = questions_for(standup.questions, locale)
    note = t(
        locale, "standups.modal.answer.context", name=bk.escape(standup.name), date=date_text(run.day, locale)
    )
    if answers is None and since is not None:
        since_text = (
            f"<!date^{int(since.timestamp())}^{{date_short_pretty}} {{time}}|{since:%Y-%m-%d %H:%M} UTC>"
        )
        key = "standups.modal.answer.prefilled" if prefill else "standups.modal.answer.nothing_logged"
        note += "\n" + t(locale, key, since=since_text)
    body: list[bk.Block] = [bk.context(note, block_id="standup_context")]
    for index, question in enumerate(questions[:-1]):
        if answers is not None:
            initial = answers[index] if index < len(answers) else ""
        else:
            initial = prefill if index == 0 else ""
        body.append(
            bk.text_input(
                answer_block(index),
                bk.truncate(question, 2000),
                initial=bk.truncate(initial, MAX_ANSWER) or None,
                multiline=True,
                max_length=MAX_ANSWER,
            )
        )
    body.append(
        bk.text_input(
            "blockers",
            bk.truncate(questions[-1], 2000),
            initial=blockers or None,
            multiline=True,
            optional=True,
            placeholder=t(locale, "standups.modal.answer.blockers_placeholder"),
            max_length=MAX_ANSWER,
        )
    )
    return bk.modal(
        "standup_answer",
        bk.truncate(standup.name, 24),
        body,
        submit=t(locale, "standups.modal.answer.submit"),
        close=t(locale, "modal.close"),
        metadata=json.dumps({"run": run.id}),
    )


# --- the summary ---------------------------------------------------------------------------------


def person_section(
    report: RunReport, member: Member, answers: list[str], late: bool, locale: str | None
) -> str:
    lines = [mention(member) + (" · " + t(locale, "standups.summary.late") if late else "")]
    for question, answer in zip(questions_for(report.standup.questions, locale)[:-1], answers, strict=False):
        lines.append(f"*{bk.escape(question)}*\n{bk.escape(answer)}")
    return "\n".join(lines)


def summary(report: RunReport, locale: str | None) -> tuple[str, list[bk.Block]]:
    """The channel's summary: each person's answers, who did not answer, and the blockers apart."""
    standup, run = report.standup, report.run
    day = date_text(run.day, locale)
    asked = len(report.answered) + len(report.silent)
    text = t(
        locale,
        "standups.summary.text",
        name=bk.escape(standup.name),
        date=day,
        answered=len(report.answered),
        asked=asked,
        blockers=len(report.blockers),
    )
    blocks: list[bk.Block] = [
        bk.header(t(locale, "standups.summary.title", name=standup.name, date=day)),
        bk.context(t(locale, "standups.summary.counts", answered=len(report.answered), asked=asked)),
    ]
    shown = report.answered[:MAX_PEOPLE_SECTIONS]
    for member, answer in shown:
        blocks.append(bk.section(person_section(report, member, list(answer.answers), answer.late, locale)))
    if len(report.answered) > len(shown):
        rest = [m for m, _ in report.answered[len(shown) :]]
        blocks.append(bk.context(t(locale, "standups.summary.more", people=people(rest))))
    if not report.answered:
        blocks.append(bk.section(t(locale, "standups.summary.nobody")))
    blocks.append(bk.divider())
    blocks.append(bk.section(blockers_section(report, locale), block_id="standup_blockers"))
    if report.silent:
        blocks.append(
            bk.context(
                t(locale, "standups.summary.silent", people=people(report.silent)), block_id="standup_silent"
            )
        )
    return text, blocks


def blocker_lines(report: RunReport, locale: str | None) -> list[str]:
    return [
        t(
            locale,
            "standups.blockers.line",
            person=mention(member),
            text=bk.escape(" ".join(answer.blockers.split())),
        )
        + (" · " + t(locale, "standups.summary.late") if answer.late else "")
        for member, answer in report.blockers
    ]


def blockers_section(report: RunReport, locale: str | None) -> str:
    lines = blocker_lines(report, locale) or [t(locale, "standups.blockers.none")]
    return t(locale, "standups.blockers.title") + "\n" + "\n".join(lines)


def blockers_dm(report: RunReport, locale: str | None) -> str:
    """What a manager is told when a summary holds blockers."""
    head = t(
        locale,
        "standups.blockers.dm",
        name=bk.escape(report.standup.name),
        date=date_text(report.run.day, locale),
        channel=report.standup.channel_id,
    )
    return head + "\n" + "\n".join(blocker_lines(report, locale))
