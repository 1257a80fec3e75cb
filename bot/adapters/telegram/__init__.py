"""The Telegram adapter: python-telegram-bot in, core Requests through, Telegram messages out."""

from bot.adapters.telegram.messenger import TelegramMessenger, build_telegram

__all__ = ["TelegramMessenger", "build_telegram"]
