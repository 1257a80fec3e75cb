"""One module per part of the dashboard, each adding its routes (and owning its templates)."""
