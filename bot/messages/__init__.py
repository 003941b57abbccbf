"""The message catalogue, one module per feature, each with English ("en") and Simplified Chinese ("zh")."""

from bot.messages import core, customers, deals, feedback, ideas, intel, kudos, leads, team, training

FEATURES = (core, deals, kudos, feedback, team, customers, leads, intel, ideas, training)
