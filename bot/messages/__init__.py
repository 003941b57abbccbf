"""The message catalogue, one module per feature, each with English ("en") and Simplified Chinese ("zh")."""

from bot.messages import core, deals, feedback, kudos

FEATURES = (core, deals, kudos, feedback)
