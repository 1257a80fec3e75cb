"""Test-only support: fakes at the boundaries, chat helpers and composed bots."""
