"""What the adapter's modules share about Discord itself: our platform name for it, the error
codes the adapter acts on, and the one error that is a setup mistake rather than bad luck."""

from __future__ import annotations

PLATFORM = "discord"

# JSON error codes from https://discord.com/developers/docs/topics/opcodes-and-status-codes
CANNOT_DM = 50007
MISSING_ACCESS = 50001
MISSING_PERMISSIONS = 50013
UNKNOWN_CHANNEL = 10003


class DiscordLoginError(Exception):
    """Discord rejected the bot token: a configuration problem, not a network one."""
