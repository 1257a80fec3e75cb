"""Adapter tests against fake platform servers on 127.0.0.1."""
