"""A local stand-in for Slack: the fake Web API the tests use, and (with `dealbell sandbox`) a workspace in the browser."""
