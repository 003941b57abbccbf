"""dealbell: the Slack app a sales team runs its collaboration on."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dealbell")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
