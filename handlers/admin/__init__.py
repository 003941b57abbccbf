"""`/dealbell`: help and workspace settings."""

from bot.kit.views.privacy import FORGET_CALLBACK, PRIVACY_CALLBACK, PRIVACY_OPEN_ACTION
from handlers.admin import crm, listeners, member_data, privacy, settings
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
        PRIVACY_CALLBACK: privacy.submit_privacy,
        FORGET_CALLBACK: member_data.submit_forget,
        crm.CONNECT_CALLBACK: crm.submit_connect,
    },
    actions={
        PRIVACY_OPEN_ACTION: privacy.privacy_button,
    },
    events={
        "user_change": privacy.user_changed,
    },
)
