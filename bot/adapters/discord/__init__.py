"""The Discord adapter: discord.py slash commands and buttons in, messages and announcements out."""

from bot.adapters.discord.messenger import DiscordMessenger, build_discord

__all__ = ["DiscordMessenger", "build_discord"]
