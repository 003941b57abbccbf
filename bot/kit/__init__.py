"""The shared library of handlers and jobs: Block Kit helpers, the i18n catalogue, views, charts,
command-text parsing and Slack delivery. It imports only `storage` (tests/test_architecture.py)."""
