"""Issue 17, item 15: text typed into a command is stored as typed and escaped once, where it is shown.

Slack sends a typed `<b>x</b> a&b` in a slash command (and in a message's text) as
`&lt;b&gt;x&lt;/b&gt; a&amp;b`; shown once escaped, people see what they typed. Shown escaped twice,
they see `&lt;b&gt;…a&amp;b` (what Slack gets then contains `&amp;lt;`)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, insert, inspect, select, text

from storage import migrate
from storage.db import Database
from storage.models import Award, Base, CompetitorNote, Kudos, KudosGive, Member
from tests.conftest import _postgres_database
from tests.factories import WorkspaceFactory, give_kudos, persist

TYPED = "<b>x</b> a&b"
AS_SLACK_SENDS = "&lt;b&gt;x&lt;/b&gt; a&amp;b"  # also exactly how it must reach Slack again, escaped once
TWICE = "&amp;lt;"
LI = "<@U0002|li>"


async def member_row(db, user_id: str) -> Member:
    async with db.session() as session:
        return await session.scalar(select(Member).where(Member.slack_user_id == user_id))


async def test_team_title_and_duties_are_stored_as_typed_and_escaped_once_wherever_shown(app):
    app.fake.add_user("U0001", is_admin=True)
    app.fake.add_user("U0002", real_name="Li Lu")
    await app.send.command("/team", "help", user="U0002")
    await app.send.command("/team", f'title {LI} "{AS_SLACK_SENDS}"')
    await app.send.command("/team", f"duties {LI} {AS_SLACK_SENDS}")
    li = await member_row(app.db, "U0002")
    assert (li.title, li.duties) == (TYPED, TYPED)
    card = str((await app.send.command("/team", LI)).json["blocks"])
    roster = str((await app.send.command("/team", "")).json["blocks"])
    await app.send.command("/team", "post", channel="C0SALES")
    post = str((await app.fake.wait_for("chat.postMessage"))[0].args["blocks"])
    for shown in (card, roster, post):
        assert shown.count(AS_SLACK_SENDS) == 2, shown  # the title and the duties
        assert TWICE not in shown


async def test_intel_notes_and_competitor_names_are_stored_as_typed_and_escaped_once(app):
    await app.send.command("/intel", f'AT&amp;T "{AS_SLACK_SENDS}"')
    async with app.db.session() as session:
        note = await session.scalar(select(CompetitorNote))
    assert (note.competitor, note.note) == ("AT&T", TYPED)
    card = (await app.send.command("/intel", "AT&amp;T")).json
    shown = str(card["blocks"])
    assert AS_SLACK_SENDS in shown and TWICE not in shown and "AT&amp;amp;T" not in shown
    assert card["blocks"][0]["text"]["text"].endswith("AT&T")  # a header is plain text: not escaped
    listed = str((await app.send.command("/intel", "")).json["blocks"])
    assert "AT&amp;T" in listed and "AT&amp;amp;T" not in listed


async def test_a_reaction_kudos_quotes_the_message_escaped_once(app):
    app.fake.add_message("C0001", "1800000000.000200", "U0003", f"Closed {AS_SLACK_SENDS}")
    await app.send.event("event_reaction_added", event_id="EvR1")
    card = (await app.fake.wait_for("chat.postMessage"))[0].args
    assert f"Closed {AS_SLACK_SENDS}" in card["text"] and TWICE not in card["text"]
    async with app.db.session() as session:
        give = await session.scalar(select(KudosGive))
        assert await session.scalar(select(Kudos)) is not None
    assert f"Closed {TYPED}" in give.message


# --- rows written before: stored in Slack's form, undone once by migration 0020 ----------------------


@pytest.fixture
def database_at_0018(backend: str, tmp_path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
    else:
        with _postgres_database(scratch=True) as url:
            yield url


async def add_later_columns(db: Database) -> None:
    """Add the columns later migrations add (nullable), so today's models can write and read an older
    schema's rows; 0020 rewrites data only, so the columns do not change what it does."""

    def add(connection: Connection) -> None:
        tables = set(inspect(connection).get_table_names())  # new tables come with their migration
        for table in (table for table in Base.metadata.sorted_tables if table.name in tables):
            present = {c["name"] for c in inspect(connection).get_columns(table.name)}
            for column in table.columns:
                if column.name not in present:
                    kind = column.type.compile(connection.dialect)
                    connection.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}"))

    async with db.session() as session:
        await (await session.connection()).run_sync(add)


async def old_member(session, workspace, user: str, **values: str) -> Member:
    """A member written with only the columns the 0018 schema has (an ORM insert names every
    column of today's model, newer ones too); returned unsaved, as the parent its rows point at."""
    table = Member.__table__
    member_id = await session.scalar(
        insert(table).values(workspace_id=workspace.id, slack_user_id=user, **values).returning(table.c.id)
    )
    return Member(id=member_id, workspace_id=workspace.id)


async def test_migration_0020_stores_the_older_rows_as_typed_once(database_at_0018):
    url = database_at_0018
    await asyncio.to_thread(migrate.upgrade, url, "0018")
    db = Database(url)
    await add_later_columns(db)
    try:
        async with db.session() as session:
            [ws] = await persist(session, WorkspaceFactory())
            li = await old_member(session, ws, "UF1", title=AS_SLACK_SENDS, duties=AS_SLACK_SENDS)  # by /team
            ana = await old_member(session, ws, "UF2", title="R&amp;D Star")  # by /reward: typed as such
            sam = await old_member(session, ws, "UF3", duties="plain")
            await persist(
                session,
                Award(
                    workspace_id=ws.id,
                    member_id=ana.id,
                    title="R&amp;D Star",
                    awarded_by_id=li.id,
                    source_key="a1",
                ),
                CompetitorNote(
                    workspace_id=ws.id,
                    competitor="AT&amp;T",
                    competitor_key="at&amp;t",
                    note=AS_SLACK_SENDS,
                    author_id=li.id,
                    source_key="n1",
                ),
            )
            await give_kudos(
                session, li, [sam], message=f"for this message: “{AS_SLACK_SENDS}”", source="reaction"
            )
            await give_kudos(session, li, [sam], message="R&amp;D as typed", source="command")
        await db.dispose()
        await asyncio.to_thread(migrate.upgrade, url, "0020")
        async with db.session() as session:
            rows = await session.execute(select(Member.id, Member.title, Member.duties))
            members = {member_id: (title, duties) for member_id, title, duties in rows}
            note = await session.scalar(select(CompetitorNote))
            gives = dict((await session.execute(select(KudosGive.source, KudosGive.message))).all())
        assert members == {li.id: (TYPED, TYPED), ana.id: ("R&amp;D Star", ""), sam.id: (None, "plain")}
        assert (note.competitor, note.competitor_key, note.note) == ("AT&T", "at&t", TYPED)
        assert gives == {"reaction": f"for this message: “{TYPED}”", "command": "R&amp;D as typed"}
    finally:
        await db.dispose()
