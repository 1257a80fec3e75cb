"""The JSON objects the fake Discord hands to discord.py: one server with four channels, people,
messages and the context of an interaction, shaped as Discord's API v10 sends them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

# Discord permission bits the fake needs.
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
MANAGE_GUILD = 1 << 5
USE_APPLICATION_COMMANDS = 1 << 31
MEMBER_PERMISSIONS = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES
ADMIN_PERMISSIONS = MEMBER_PERMISSIONS | MANAGE_GUILD
JOINED_AT = "2026-01-01T00:00:00+00:00"

_ids = itertools.count(1_170_000_000_000_000_001, 7919)


def snowflake() -> int:
    """A fresh id that looks like a real one (18-19 digits), so log checks are meaningful."""
    return next(_ids)


@dataclass
class Guild:
    id: int
    owner_id: int
    bot_role_id: int
    channels: dict[str, int] = field(default_factory=dict)
    payload: JSON = field(default_factory=dict)


def make_guild(owner_id: int, bot_user: JSON) -> Guild:
    """'Allies': #general and #announcements the bot may use, #read-only where it may not send,
    #hidden it cannot see."""
    guild_id = snowflake()
    bot_role = snowflake()
    guild = Guild(id=guild_id, owner_id=owner_id, bot_role_id=bot_role)
    for name in ("general", "announcements", "read-only", "hidden"):
        guild.channels[name] = snowflake()
    overwrites = {
        "read-only": [denied(bot_role, SEND_MESSAGES)],
        "hidden": [denied(bot_role, VIEW_CHANNEL)],
    }
    guild.payload = {
        "id": str(guild_id),
        "name": "Allies",
        "owner_id": str(owner_id),
        "unavailable": False,
        "member_count": 3,
        "large": False,
        "features": [],
        "emojis": [],
        "stickers": [],
        "roles": [
            role_object(guild_id, "@everyone", USE_APPLICATION_COMMANDS | VIEW_CHANNEL, 0),
            role_object(bot_role, "Allybot", MEMBER_PERMISSIONS, 1, managed=True),
        ],
        "channels": [
            {
                "id": str(channel_id),
                "type": 0,
                "name": name,
                "position": position,
                "guild_id": str(guild_id),
                "permission_overwrites": overwrites.get(name, []),
                "nsfw": False,
            }
            for position, (name, channel_id) in enumerate(guild.channels.items())
        ],
        "members": [
            {
                "user": bot_user,
                "roles": [str(bot_role)],
                "joined_at": JOINED_AT,
                "deaf": False,
                "mute": False,
                "flags": 0,
            }
        ],
        "threads": [],
        "voice_states": [],
        "presences": [],
        "preferred_locale": "en-US",
    }
    return guild


def denied(role_id: int, permission: int) -> JSON:
    """A channel permission overwrite taking `permission` from a role."""
    return {"id": str(role_id), "type": 0, "allow": "0", "deny": str(permission)}


def dm_context(dm_channel_id: int, user_id: int) -> JSON:
    """The part of an interaction that says it came from a DM with the bot."""
    return {
        "channel_id": str(dm_channel_id),
        "channel": {"id": str(dm_channel_id), "type": 1},
        "user": user_object(user_id, "someone"),
        "context": 1,
        "app_permissions": str(MEMBER_PERMISSIONS),
    }


def server_context(guild: Guild, channel: str, user_id: int, *, admin: bool) -> JSON:
    """The part of an interaction that says who used it in which channel of the server."""
    channel_id = guild.channels[channel]
    permissions = ADMIN_PERMISSIONS if admin else MEMBER_PERMISSIONS
    return {
        "guild_id": str(guild.id),
        "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
        "guild_locale": "en-US",
        "channel_id": str(channel_id),
        "channel": {
            "id": str(channel_id),
            "type": 0,
            "name": channel,
            "guild_id": str(guild.id),
        },
        "member": {
            "user": user_object(user_id, "someone"),
            "roles": [],
            "joined_at": JOINED_AT,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "permissions": str(permissions),
        },
        "context": 0,
        "app_permissions": str(MEMBER_PERMISSIONS),
    }


def message_object(channel_id: int, body: JSON, author: JSON, *, message_id: Any = None) -> JSON:
    """A message object as Discord returns it, from what was sent (or pressed)."""
    return {
        "id": str(message_id or snowflake()),
        "channel_id": str(channel_id),
        "author": author,
        "content": body.get("content") or "",
        "timestamp": "2026-11-21T12:00:00+00:00",
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "type": 0,
        "flags": body.get("flags", 0),
        "components": body.get("components", []),
    }


def application_object(app_id: int, owner_id: int) -> JSON:
    return {
        "id": str(app_id),
        "name": "allybot",
        "icon": None,
        "description": "",
        "bot_public": True,
        "bot_require_code_grant": False,
        "owner": user_object(owner_id, "owner"),
        "verify_key": "0" * 64,
        "flags": 0,
    }


def role_object(
    role_id: int, name: str, permissions: int, position: int, *, managed: bool = False
) -> JSON:
    return {
        "id": str(role_id),
        "name": name,
        "permissions": str(permissions),
        "position": position,
        "color": 0,
        "hoist": False,
        "managed": managed,
        "mentionable": False,
        "flags": 0,
    }


def user_object(user_id: int, name: str, *, bot: bool = False) -> JSON:
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "global_name": None,
        "avatar": None,
        "bot": bot,
        "flags": 0,
        "public_flags": 0,
    }
