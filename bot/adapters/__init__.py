"""One module per platform: the only places that know a platform's SDK."""
