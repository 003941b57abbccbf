"""A deal's limits live in the domain (storage.deals): /deal, the deal modal and the CSV import are
refused the same way, in the same words, and nothing is written."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from bot.cli import import_file
from bot.settings import Settings
from storage.models import Customer, Deal
from tests.handlers.test_deal_modal_and_buttons import modal_values
from tests.slack_requests import text_value

LONG_CUSTOMER = "A" * 201
LONG_TITLE = "T" * 301
CUSTOMER_REFUSAL = "That customer name is too long (201 characters; at most 200)."
TITLE_REFUSAL = "That deal title is too long (301 characters; at most 300)."


async def count(db, model) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def refusals(app, tmp_path, capsys, customer: str, title: str) -> tuple[str, str, str, str]:
    """What /deal, the modal and the CSV import answer for one deal; the modal's field and text."""
    command = await app.send.command("/deal", f'new 5k {customer} "{title}"')
    modal = await app.send.view_submission(
        "deal_new",
        modal_values(customer=text_value(customer), title=text_value(title)),
        view_id="V900",
        private_metadata=json.dumps({"channel": "C0001"}),
    )
    ((field, shown),) = modal.json["errors"].items()
    path = tmp_path / "deals.csv"
    path.write_text(f"customer,title,amount,owner\n{customer},{title},5000,U0001\n", encoding="utf-8")
    settings = Settings(_env_file=None, database_url=app.settings.database_url)  # type: ignore[call-arg]
    capsys.readouterr()
    assert await import_file(settings, "deals", path, "T0001", None, False, False) == 1
    return command.text, field, shown, capsys.readouterr().err.splitlines()[0]


@pytest.mark.parametrize(
    ("customer", "title", "field", "refusal"),
    [
        (LONG_CUSTOMER, "Annual licence", "customer", CUSTOMER_REFUSAL),
        ("Acme", LONG_TITLE, "title", TITLE_REFUSAL),
    ],
)
async def test_an_over_long_deal_is_refused_the_same_way_on_every_path(
    app, tmp_path, capsys, customer, title, field, refusal
):
    await app.send.command("/deal", "help")  # the member (U0001) is known, for the import's owner column
    command, modal_field, modal_text, imported = await refusals(app, tmp_path, capsys, customer, title)
    assert command == f":warning: {refusal}"
    assert (modal_field, modal_text) == (field, refusal)
    assert imported == f"line 2: {refusal}"
    assert await count(app.db, Deal) == 0 and await count(app.db, Customer) == 0
