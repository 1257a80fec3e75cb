"""Repositories: each port of bot.core on SQLAlchemy, returning plain core values."""
