"""`deals.funnel_reached` (migration 0018) is kept by the deal paths themselves, and the digest's
conversion rates read from it agree with the same rates read from the stage history."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from storage.metrics import conversion_rates
from storage.models import Deal, utcnow
from storage.workspaces import get_workspace


async def test_conversions_from_the_column_match_the_stage_history(app):
    for text in [
        "new 10k Acme stage:proposal",
        "new 4k Globex stage:qualified",
        "new 1k Foo",
        "won 5k Initech",
        "new 8k Quokka stage:negotiation",
    ]:
        assert (await app.send.command("/deal", text)).status == 200
    assert (await app.send.command("/deal", "won Globex")).status == 200
    assert (await app.send.command("/deal", "lost Quokka competitor:Zebracorp")).status == 200
    await app.fake.settle()

    cohort = (utcnow() - dt.timedelta(days=1), utcnow() + dt.timedelta(days=1))
    async with app.db.session() as session:
        workspace = await get_workspace(session, "T0001")
        reached = sorted((await session.execute(select(Deal.funnel_reached))).scalars())
        from_column = await conversion_rates(session, workspace.id, cohort)
        await session.execute(update(Deal).values(funnel_reached=None))  # as rows written elsewhere
        from_history = await conversion_rates(session, workspace.id, cohort)
    assert reached == [0, 2, 3, 4, 4]  # Foo, Acme, Quokka (lost at negotiation), Initech and Globex won
    assert from_column == from_history
    assert from_column[0].reached_from == 5  # every deal reached lead
