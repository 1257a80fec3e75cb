"""Texts that are not commands: reminders, calendar files and shared wording, for handlers."""
