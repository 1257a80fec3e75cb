"""Everything the bot sends on its own, per platform: one budget, one window, batched marks."""
