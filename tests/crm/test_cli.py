"""`dealbell connections list|test|sync|remove`, run in-process as `dealbell` runs them."""

from __future__ import annotations

import pytest

from bot import crm_cli
from bot.cli import build_parser
from storage.models import Stage
from tests.crm.conftest import CrmApp, connect_hubspot
from tests.fakes.hubspot import FakeHubSpot

pytestmark = pytest.mark.xdist_group("crm")


async def dealbell(app: CrmApp, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = await crm_cli.run(app.settings, build_parser().parse_args(["connections", *argv]))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


async def test_list_test_sync_and_remove(
    crm_app: CrmApp, hubspot: tuple[FakeHubSpot, str], capsys: pytest.CaptureFixture[str]
):
    fake, url = hubspot
    await connect_hubspot(crm_app, fake, url)
    code, out = await dealbell(crm_app, capsys, "list")
    assert code == 0 and "T0001 hubspot account 62515" in out and fake.token not in out
    assert await dealbell(crm_app, capsys, "test", "hubspot") == (
        0,
        "hubspot: credentials work, account 62515\n",
    )
    fake.create_deal("Missed", "100", owner_id="501", company="Missed Co", stage="closedwon")  # no webhook
    code, out = await dealbell(crm_app, capsys, "sync", "hubspot", "--team", "T0001")
    assert code == 0 and "1 celebrated" in out
    code, out = await dealbell(crm_app, capsys, "sync", "hubspot", "--since", "2026-11-01")
    assert code == 0 and "0 celebrated" in out  # re-imported: nothing new, nothing celebrated again
    [deal] = await crm_app.deals()
    assert deal.stage == Stage.WON.value and len(crm_app.celebrations()) == 1
    fake.token = "revoked"
    code, out = await dealbell(crm_app, capsys, "test", "hubspot")
    assert code == 1 and "http_401" in out
    assert (await dealbell(crm_app, capsys, "remove", "hubspot"))[0] == 0
    assert await dealbell(crm_app, capsys, "list") == (0, "no CRM connections\n")
    assert len(await crm_app.deals()) == 1  # the deals stay
