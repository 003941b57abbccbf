"""The fake Slack grants exactly the manifest's bot scopes: an export from an app whose manifest lacks
`files:write` fails with `missing_scope`, as it does on a real workspace."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml

from tests.fake_slack import MANIFEST, FakeSlack, Refusal, manifest_bot_scopes
from tests.handlers.test_export import seed_deals


@pytest.fixture
def manifest_without_files_write(tmp_path: Path) -> Path:
    manifest = yaml.safe_load(MANIFEST.read_text())
    manifest["oauth_config"]["scopes"]["bot"].remove("files:write")
    copy = tmp_path / "manifest.yml"
    copy.write_text(yaml.safe_dump(manifest))
    return copy


@pytest.fixture
async def fake_slack(manifest_without_files_write: Path) -> AsyncIterator[FakeSlack]:
    """Overrides conftest's: the `app` here talks to a Slack that granted the copy's scopes."""
    fake = await FakeSlack(manifest=manifest_without_files_write).start()
    yield fake
    await fake.stop()


async def test_without_files_write_the_export_fails_with_missing_scope(app, manifest_without_files_write):
    assert "files:write" not in manifest_bot_scopes(manifest_without_files_write)
    app.fake.add_user("U0001", is_admin=True)
    await seed_deals(app.db)

    await app.send.command("/dealbell", "export deals")

    [upload] = await app.fake.wait_for("files.getUploadURLExternal")
    assert upload.ok is False
    assert app.fake.refusals == [Refusal("files.getUploadURLExternal", "missing_scope", ("files:write",))]
    await app.fake.wait_for("response_url")  # the manager is told something went wrong
    assert app.fake.uploaded() == []
    app.fake.refusals.clear()  # expected here: the fake must not fail the test for it
