"""The organizer dashboard's platform-neutral part: who may open it (one-time links, sessions),
and the aggregates it shows. The web adapter (bot/adapters/web) renders it; db/ stores it."""
