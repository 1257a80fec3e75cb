"""The organizer dashboard in a browser: aiohttp, Jinja2 templates rendered on the server.

A platform like the others: it knows HTTP and HTML, and reaches the core only through
bot.core.dashboard.ports.Dashboard (every change a Request through the dispatcher). Pages work
without JavaScript; static/app.js only refreshes what changes (a broadcast's progress, a form's
checks). Nothing is loaded from another host.
"""

from bot.adapters.web.app import make_app
from bot.adapters.web.server import serve_web

__all__ = ["make_app", "serve_web"]
