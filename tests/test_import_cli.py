"""`dealbell import deals|customers FILE.csv --team T…`: round trips, bad rows, --skip-bad, --dry-run."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import import_file
from bot.settings import Settings, SettingsError
from storage.db import Database
from storage.exports import export_csv
from storage.models import Customer, Deal, Member, Stage, Workspace
from storage.workspaces import Profile, ensure_workspace, save_member
from tests.handlers.test_export import CHINESE, seed_deals

DEALBELL = Path(sys.executable).parent / "dealbell"
OTHER_TEAM = "T0NEW"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]


async def fresh_workspace(db: Database, team_id: str = OTHER_TEAM, members=("U0002",)) -> Workspace:
    async with db.session() as session:
        workspace = await ensure_workspace(session, team_id)
        for user_id in members:
            await save_member(session, workspace.id, user_id, Profile(name=user_id.lower()))
        await save_member(session, workspace.id, "UBOT1", Profile(name="bot", is_bot=True))
        return workspace


FIELDS = (
    Customer.name, Customer.segment, Deal.title, Member.slack_user_id, Deal.amount_minor, Deal.currency,
    Deal.stage, Deal.expected_close, Deal.created_at, Deal.closed_at, Deal.competitor, Deal.lost_reason,
)  # fmt: skip


async def deals_of(db: Database, workspace_id: int) -> list[tuple]:
    async with db.session() as session:
        rows = await session.execute(
            select(*FIELDS)
            .join(Customer, Customer.id == Deal.customer_id)
            .join(Member, Member.id == Deal.owner_id)
            .where(Deal.workspace_id == workspace_id)
            .order_by(Customer.name)
        )
        return [tuple(r) for r in rows]


async def count(db: Database, model) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(model))


def write(tmp_path: Path, text: str, name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def test_an_export_imports_into_a_fresh_workspace_and_a_reimport_adds_nothing(
    db, settings, tmp_path, capsys
):
    source_id = await seed_deals(db)
    async with db.session() as session:
        exported, rows = await export_csv(session, "deals", source_id)
    assert rows == 3
    path = tmp_path / "deals.csv"
    path.write_bytes(exported)
    target = await fresh_workspace(db)

    assert await import_file(settings, "deals", path, OTHER_TEAM, None, False, False) == 0
    assert "deals: 3 new, 0 updated, 0 unchanged" in capsys.readouterr().out

    def without_seconds_fraction(rows):  # exports keep whole seconds
        return [
            (*r[:8], r[8].replace(microsecond=0), r[9] and r[9].replace(microsecond=0), *r[10:]) for r in rows
        ]

    imported = await deals_of(db, target.id)
    assert imported == without_seconds_fraction(await deals_of(db, source_id))
    assert {r[0] for r in imported} == {CHINESE, "Globex", "Umbrella"}
    assert (imported[2][2], imported[2][1], imported[2][6]) == ("=年度合同", "existing", "won")

    assert await import_file(settings, "deals", path, OTHER_TEAM, None, False, False) == 0
    assert "deals: 0 new, 0 updated, 3 unchanged" in capsys.readouterr().out
    assert await count(db, Deal) == 6 and await count(db, Customer) == 6


async def test_a_bad_file_is_refused_with_line_numbers_and_nothing_is_written(db, database_url, tmp_path):
    await fresh_workspace(db, members=("U0002",))
    path = write(
        tmp_path,
        "customer,amount,stage,owner\n"
        "Acme,12.5k,lead,U0002\n"
        "Globex,twelve,lead,U0002\n"  # line 3: bad amount
        "Initech,¥12万,won,U0002\n"
        "Umbrella,100,closing,U0002\n"  # line 5: unknown stage
        '"Initech\nEast",5,lead,U0002\n'  # lines 6-7: one row over two lines
        "Hooli,1,proposal,U0NOBODY\n",  # line 8: not a member
    )
    process = await asyncio.create_subprocess_exec(
        str(DEALBELL), "import", "deals", str(path), "--team", OTHER_TEAM,
        env={"PATH": os.environ.get("PATH", ""), "DATABASE_URL": database_url}, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=30)

    assert process.returncode == 1, err
    lines = [line for line in err.decode().splitlines() if " INFO " not in line]  # minus the log
    assert lines[0] == "line 3: bad amount 'twelve' (not a number)"
    assert lines[1].startswith("line 5: unknown stage 'closing' (use one of lead, qualified")
    assert lines[2] == "line 8: owner U0NOBODY is not a member of this workspace"
    assert lines[3] == "3 bad row(s): nothing was written (fix them, or pass --skip-bad)"
    assert "deals: 0 new" in out.decode()
    assert await count(db, Deal) == 0 and await count(db, Customer) == 0


BAD_ON_3_AND_5 = (
    "\ufeffCustomer,Amount,Currency,Stage,Owner,Expected close\n"
    "Acme,12.5k,,lead,U0002,2031-03-01\n"
    "Globex,-5,,lead,U0002,\n"  # line 3: not positive
    "北京星辰,¥12万,CNY,won,U0002,\n"
    "Umbrella,100,,closing,U0002,\n"  # line 5: unknown stage
    "Hooli,100,,lead,U0NOBODY,\n"  # line 6: not a member
    "Wayne,100,,lead,UBOT1,\n"  # line 7: a bot is no owner
)


async def test_skip_bad_writes_the_good_rows_and_reports_the_bad(db, settings, tmp_path, capsys):
    workspace = await fresh_workspace(db)
    path = write(tmp_path, BAD_ON_3_AND_5)

    assert await import_file(settings, "deals", path, OTHER_TEAM, None, False, True) == 0

    out, err = capsys.readouterr()
    assert "deals: 2 new" in out and "bad rows: 4 (skipped)" in out
    assert [line.split(":")[0] for line in err.splitlines()] == ["line 3", "line 5", "line 6", "line 7"]
    deals = await deals_of(db, workspace.id)
    assert [(d[0], d[4], d[5], d[6], d[7] and d[7].isoformat()) for d in deals] == [
        ("Acme", 1250000, "USD", "lead", "2031-03-01"),
        ("北京星辰", 12000000, "CNY", "won", None),
    ]
    assert await import_file(settings, "deals", path, OTHER_TEAM, None, False, True) == 0
    assert await count(db, Deal) == 2


async def test_dry_run_counts_and_writes_nothing(db, settings, tmp_path, capsys):
    await fresh_workspace(db)
    path = write(tmp_path, "customer,amount\nAcme,100\nacme ,200\nGlobex,5k\n")

    assert await import_file(settings, "deals", path, OTHER_TEAM, "U0002", True, False) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "dry run: nothing was written",
        "deals: 3 new, 0 updated, 0 unchanged",
        "customers: 2 to create, 0 to update, 0 unchanged",
    ]
    assert await count(db, Deal) == 0 and await count(db, Customer) == 0

    path = write(tmp_path, BAD_ON_3_AND_5, "bad.csv")
    assert await import_file(settings, "deals", path, OTHER_TEAM, None, True, False) == 1
    assert await count(db, Deal) == 0


async def test_customers_are_matched_case_insensitively_and_updated(db, settings, tmp_path, capsys):
    workspace = await fresh_workspace(db)
    first = write(tmp_path, "name,segment,source\nAcme Corp,potential,web\n北京星辰,,\n")
    assert await import_file(settings, "customers", first, OTHER_TEAM, None, False, False) == 0
    assert "customers: 2 created, 0 updated, 0 unchanged" in capsys.readouterr().out

    second = write(
        tmp_path, "Name,Segment,Owner\n  ACME   corp ,vip,U0002\n北京星辰,,\nNew Co,gold,\n", "2.csv"
    )
    assert await import_file(settings, "customers", second, OTHER_TEAM, None, False, False) == 1
    assert "line 4: unknown segment 'gold'" in capsys.readouterr().err
    assert await import_file(settings, "customers", second, OTHER_TEAM, None, False, True) == 0
    assert "customers: 0 created, 1 updated, 1 unchanged" in capsys.readouterr().out

    async with db.session() as session:
        customers = (
            await session.execute(
                select(Customer.name, Customer.segment, Customer.source, Member.slack_user_id)
                .outerjoin(Member, Member.id == Customer.owner_id)
                .where(Customer.workspace_id == workspace.id)
                .order_by(Customer.id)
            )
        ).all()
    assert [tuple(c) for c in customers] == [
        ("Acme Corp", "vip", "web", "U0002"),
        ("北京星辰", "new", None, None),
    ]


async def test_usage_errors(db, settings, database_url, tmp_path, capsys):
    await fresh_workspace(db)
    good = write(tmp_path, "customer,amount,owner\nAcme,100,U0002\n")
    assert await import_file(settings, "deals", good, "T0UNKNOWN", None, False, False) == 2
    assert await import_file(settings, "deals", tmp_path / "missing.csv", OTHER_TEAM, None, False, False) == 2
    no_amount = write(tmp_path, "customer\nAcme\n", "x.csv")
    assert await import_file(settings, "deals", no_amount, OTHER_TEAM, None, False, False) == 2
    assert await import_file(settings, "deals", good, OTHER_TEAM, "U0NOBODY", False, False) == 2
    err = capsys.readouterr().err
    assert "workspace 'T0UNKNOWN' is not known" in err and "missing column 'amount'" in err
    assert "--owner U0NOBODY is not a member" in err
    assert await count(db, Deal) == 0

    unmigrated = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'empty.db'}")  # type: ignore[call-arg]
    with pytest.raises(SettingsError, match="not migrated"):
        await import_file(unmigrated, "deals", good, OTHER_TEAM, None, False, False)


async def test_imported_deals_keep_their_stage_rules(db, settings, tmp_path, capsys):
    """closed_at on an open deal is refused; a won deal without one is closed now."""
    await fresh_workspace(db)
    path = write(tmp_path, "customer,amount,stage,closed_at\nA,1,won,\nB,1,lead,2026-01-01T00:00:00Z\n")
    assert await import_file(settings, "deals", path, OTHER_TEAM, "U0002", False, True) == 0
    assert "line 3: closed_at is set but the stage lead is open" in capsys.readouterr().err
    async with db.session() as session:
        deal = await session.scalar(select(Deal))
    assert deal.stage == Stage.WON.value and deal.closed_at is not None


# --- files that never end, files that are not files, quotes that never close (issue 17, item 19) ---


async def run_dealbell_import(database_url: str, tmp_path: Path, *args: str) -> tuple[int, str, float]:
    """`dealbell import deals …` as a user runs it: (exit status, stderr, seconds taken)."""
    started = asyncio.get_running_loop().time()
    process = await asyncio.create_subprocess_exec(
        str(DEALBELL), "import", "deals", *args, "--team", OTHER_TEAM, "--owner", "U0002",
        env={"PATH": os.environ.get("PATH", ""), "DATABASE_URL": database_url}, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    took = asyncio.get_running_loop().time() - started
    lines = [line for line in err.decode().splitlines() if " INFO " not in line]
    return process.returncode or 0, "\n".join(lines), took


async def test_a_device_that_never_ends_is_refused_quickly(db, database_url, tmp_path):
    await fresh_workspace(db)
    status, err, took = await run_dealbell_import(database_url, tmp_path, "/dev/zero")
    assert status == 2, err
    assert "/dev/zero: not a regular file (a device)" in err
    assert took < 30  # the start-up of the CLI; reading /dev/zero would never end
    assert await count(db, Deal) == 0


async def test_a_fifo_is_refused_instead_of_waiting_for_a_writer(db, database_url, tmp_path):
    await fresh_workspace(db)
    fifo = tmp_path / "deals.csv"
    os.mkfifo(fifo)
    status, err, _ = await run_dealbell_import(database_url, tmp_path, str(fifo))
    assert status == 2, err
    assert f"{fifo}: not a regular file (a FIFO)" in err


async def test_a_file_over_the_size_cap_is_refused_without_reading_it(db, settings, database_url, tmp_path):
    await fresh_workspace(db)
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as sparse:
        sparse.truncate(50 * 1024 * 1024 + 1)  # one byte over the default cap, no disk used
    status, err, _ = await run_dealbell_import(database_url, tmp_path, str(huge))
    assert status == 2, err
    assert f"{huge}: larger than 50 MB (pass --max-size-mb to allow more)" in err
    small = write(tmp_path, "customer,amount\n" + "Acme,100\n" * 200_000, "2mb.csv")
    status, err, _ = await run_dealbell_import(database_url, tmp_path, str(small), "--max-size-mb", "1")
    assert status == 2 and "larger than 1 MB" in err
    assert await count(db, Deal) == 0


UNCLOSED_ON_3 = (
    "customer,amount,stage\n"
    "Acme,100,lead\n"
    'Globex,"200,lead\n'  # line 3: the quote never closes
    "Initech,300,lead\n"
    "Hooli,400,lead\n"
    "Umbrella,500,lead\n"
)


@pytest.mark.parametrize("skip_bad", [False, True])
async def test_an_unclosed_quote_is_reported_with_the_lines_it_swallowed(
    db, settings, tmp_path, capsys, skip_bad
):
    await fresh_workspace(db)
    path = write(tmp_path, UNCLOSED_ON_3)

    assert await import_file(settings, "deals", path, OTHER_TEAM, "U0002", False, skip_bad) == 1

    err = capsys.readouterr().err
    assert "line 3: an unclosed quote runs to the end of the file (lines 3–6)" in err
    # --skip-bad cannot skip what it cannot read: the rows after the quote are not silently dropped.
    assert await count(db, Deal) == 0
