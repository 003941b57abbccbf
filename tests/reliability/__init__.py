"""Reliability: several processes on one database post once; Slack's 429s and 5xx lose nothing."""
