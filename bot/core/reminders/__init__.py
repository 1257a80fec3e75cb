"""Reminders: event values and ports, the plan (when each chat is reminded), the scheduler."""
