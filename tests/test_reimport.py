"""Issue 16, item 4: importing dealbell's own export updates deals instead of doubling them; an
`external_id` column is honoured the same way; `dealbell export …` writes what /dealbell export sends.

Deals are logged through signed requests into the running app; the CLI's export and import run
against the same database (both databases).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import build_parser, export_file, import_file
from bot.settings import Settings
from storage.exports import EXPORT_COLUMNS, EXPORT_KINDS
from storage.models import Customer, Deal, DealStageChange, Stage

TEAM = "T0001"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]


async def totals(db) -> tuple[int, int]:
    """(deals, won revenue in minor units)."""
    async with db.session() as session:
        deals = await session.scalar(select(func.count()).select_from(Deal))
        won = await session.scalar(select(func.sum(Deal.amount_minor)).where(Deal.stage == Stage.WON.value))
    return deals, int(won or 0)


def read_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


async def test_reimporting_an_export_updates_the_deals_instead_of_doubling_them(
    app, settings, tmp_path, capsys
):
    for text in ("won 12.5k Acme Corp", "won 40k Globex", "new 5k Initech stage:proposal"):
        assert (await app.send.command("/deal", text)).status == 200
    before = await totals(app.db)
    assert before == (3, 5_250_000)
    path = tmp_path / "deals.csv"

    assert await export_file(settings, "deals", TEAM, "all", path) == 0
    capsys.readouterr()
    assert await import_file(settings, "deals", path, TEAM, None, False, False) == 0
    assert "deals: 0 new, 0 updated, 3 unchanged" in capsys.readouterr().out
    assert await totals(app.db) == before

    rows = read_rows(path)
    acme = next(r for r in rows if r["customer"] == "Acme Corp")
    initech = next(r for r in rows if r["customer"] == "Initech")
    acme["amount"] = "12000.00"  # the typo corrected in a spreadsheet
    initech["stage"] = "won"
    write_rows(path, rows)

    assert await import_file(settings, "deals", path, TEAM, None, True, False) == 0  # dry run
    assert "deals: 0 new, 2 updated, 1 unchanged" in capsys.readouterr().out
    assert await totals(app.db) == before

    assert await import_file(settings, "deals", path, TEAM, None, False, False) == 0
    assert "deals: 0 new, 2 updated, 1 unchanged" in capsys.readouterr().out
    assert await totals(app.db) == (3, 1_200_000 + 4_000_000 + 500_000)
    async with app.db.session() as session:
        deal = await session.scalar(select(Deal).where(Deal.id == int(initech["id"])))
        history = (
            await session.scalars(select(DealStageChange).where(DealStageChange.deal_id == deal.id))
        ).all()
    assert deal.closed_at is not None
    assert [(h.from_stage, h.to_stage) for h in history] == [(None, "proposal"), ("proposal", "won")]


async def test_an_external_id_column_updates_the_deal_it_names(app, settings, tmp_path, capsys):
    await app.send.command("/deal", "new 1k Acme Corp")  # makes U0001 a member, the owner below
    path = tmp_path / "crm.csv"
    path.write_text(
        "external_id,customer,amount,stage,owner\nSF-1,Globex,10k,lead,U0001\nSF-2,Initech,5k,won,U0001\n",
        encoding="utf-8",
    )
    assert await import_file(settings, "deals", path, TEAM, None, False, False) == 0
    assert "deals: 2 new, 0 updated, 0 unchanged" in capsys.readouterr().out

    path.write_text(
        "external_id,customer,amount,stage,owner\nSF-1,Globex,12k,qualified,U0001\nSF-2,Initech,5k,won,U0001\n",
        encoding="utf-8",
    )
    assert await import_file(settings, "deals", path, TEAM, None, False, False) == 0
    assert "deals: 0 new, 1 updated, 1 unchanged" in capsys.readouterr().out

    other = tmp_path / "other.csv"  # the same id in another system is another deal
    other.write_text(
        "external_source,external_id,customer,amount\nhubspot,SF-1,Umbrella,1k\n", encoding="utf-8"
    )
    assert await import_file(settings, "deals", other, TEAM, "U0001", False, False) == 0
    async with app.db.session() as session:
        rows = (
            await session.execute(
                select(Deal.external_source, Deal.external_id, Customer.name, Deal.amount_minor, Deal.stage)
                .join(Customer, Customer.id == Deal.customer_id)
                .where(Deal.external_id.is_not(None))
                .order_by(Deal.id)
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("csv", "SF-1", "Globex", 1_200_000, "qualified"),
        ("csv", "SF-2", "Initech", 500_000, "won"),
        ("hubspot", "SF-1", "Umbrella", 100_000, "lead"),
    ]
    assert (await totals(app.db))[0] == 4

    path = tmp_path / "deals.csv"  # the export carries the external ids, so its re-import changes nothing
    assert await export_file(settings, "deals", TEAM, "all", path) == 0
    assert {r["external_id"] for r in read_rows(path)} == {"", "SF-1", "SF-2"}
    capsys.readouterr()
    assert await import_file(settings, "deals", path, TEAM, None, False, False) == 0
    assert "deals: 0 new, 0 updated, 4 unchanged" in capsys.readouterr().out


@pytest.mark.parametrize("kind", EXPORT_KINDS)
async def test_the_cli_exports_every_kind_with_the_slack_exports_columns(app, settings, tmp_path, kind):
    await app.send.command("/deal", "won 12.5k Acme Corp")
    await app.send.command("/log", 'call "Acme Corp" "talked renewal"')
    await app.send.command("/kudos", "<@U0002|bo> for the demo #teamwork")
    path = tmp_path / f"{kind}.csv"

    assert await export_file(settings, kind, TEAM, "month", path) == 0

    rows = read_rows(path)
    assert tuple(rows[0]) == EXPORT_COLUMNS[kind] if rows else False
    assert len(rows) >= 1


async def test_export_refuses_an_unknown_team_and_parses_its_options(settings, tmp_path, capsys):
    args = build_parser().parse_args(["export", "customers", "--team", "T9", "--period", "quarter"])
    assert (args.kind, args.team, args.period, args.out) == ("customers", "T9", "quarter", None)
    assert await export_file(settings, "deals", "T9", "all", tmp_path / "x.csv") == 2
    assert "T9" in capsys.readouterr().err
