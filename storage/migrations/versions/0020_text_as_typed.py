"""Text typed into /team title, /team duties, /intel and quoted by reaction kudos: stored as typed

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 15:20:00

Slack sends a typed `&`, `<`, `>` in a slash command (and in a message's text) as `&amp;`, `&lt;`,
`&gt;`. These four paths stored Slack's form and escaped it again where shown, so people saw
`&lt;b&gt;…a&amp;b` (issue 17, item 15). They now store the text as typed; this undoes Slack's
escaping, once, in the rows they wrote before, in the order `bot.kit.blocks.unescape` uses.

- members.duties: only /team duties writes it.
- members.title: /team title wrote Slack's form, /reward and the nominations the typed one; a title
  equal to one of the member's award titles came from an award and is left as it is.
- competitor_notes: competitor, its key (the casefolded name: the entities are lower case, so
  unescaping the key gives the key of the unescaped name) and note; only /intel writes them.
- kudos_gives.message of reaction kudos (source 'reaction'); /kudos and its modal stored the typed text.

Not reversible: the downgrade leaves the rows as typed (escaping them again would also escape rows
written as typed after the upgrade).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def unescaped(column: str) -> str:
    return f"REPLACE(REPLACE(REPLACE({column}, '&lt;', '<'), '&gt;', '>'), '&amp;', '&')"


HAS_ENTITY = "({c} LIKE '%&lt;%' OR {c} LIKE '%&gt;%' OR {c} LIKE '%&amp;%')"


def upgrade() -> None:
    op.execute(f"UPDATE members SET duties = {unescaped('duties')} WHERE {HAS_ENTITY.format(c='duties')}")
    op.execute(
        f"UPDATE members SET title = {unescaped('title')} WHERE {HAS_ENTITY.format(c='title')}"
        " AND NOT EXISTS (SELECT 1 FROM awards a WHERE a.workspace_id = members.workspace_id"
        " AND a.member_id = members.id AND a.title = members.title)"
    )
    op.execute(
        f"UPDATE competitor_notes SET competitor = {unescaped('competitor')},"
        f" competitor_key = {unescaped('competitor_key')}, note = {unescaped('note')}"
        f" WHERE {HAS_ENTITY.format(c='competitor')} OR {HAS_ENTITY.format(c='note')}"
    )
    op.execute(
        f"UPDATE kudos_gives SET message = {unescaped('message')}"
        f" WHERE source = 'reaction' AND {HAS_ENTITY.format(c='message')}"
    )


def downgrade() -> None:
    pass
