"""One module per command: plain async functions from a Request to a Reply."""
