"""`/dealbell`: help and workspace settings."""

from handlers.admin import listeners, settings
from handlers.features import Command, Feature

FEATURE = Feature(
    name="admin",
    commands=(
        Command(
            "/dealbell",
            listeners.dealbell_command,
            description="dealbell help and settings",
            usage_hint="help | channels wins #wins",
            summary="admin.summary",
        ),
    ),
    views={
        settings.CALLBACK_ID: settings.submit_settings,
    },
)
