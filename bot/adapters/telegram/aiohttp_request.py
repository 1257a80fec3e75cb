"""PTB's requests over aiohttp instead of httpx, for everything but getUpdates.

Why: a broadcast keeps a window of requests in flight (rate × round trip × 1.5: 151 for the paid
lane at 100 ms), and httpcore's connection pool walks every connection, asking each socket
whether it expired, for every request it assigns. Past a few dozen connections that walk is most
of the bot's CPU: profiled under bench/scale.py, 70% of the sender's time went to
`_assign_requests_to_connections`, and the paid lane reached 70 messages a second of its 1,000.
aiohttp (already installed: discord.py runs on it) keeps idle connections in a queue per host, so
a request costs the same with 200 in flight as with 2.

The Bot API takes form fields; files go as multipart, as PTB's own HTTPXRequest sends them.
Errors map to PTB's: a timeout is TimedOut, any other transport failure NetworkError (named by
type only: aiohttp's message can quote the URL, and the URL holds the token).
"""

from __future__ import annotations

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# The most connections to the Bot API at once: above the paid lane's window at real latencies.
CONNECTIONS = 256


class AiohttpRequest(BaseRequest):
    """A BaseRequest on one aiohttp session, opened by initialize() and closed by shutdown()."""

    def __init__(
        self,
        connections: int = CONNECTIONS,
        read_timeout: float = 5.0,
        write_timeout: float = 5.0,
        connect_timeout: float = 5.0,
        media_write_timeout: float = 20.0,
    ) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        write_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else {}
        read = _seconds(read_timeout, self._read_timeout)
        write = _seconds(write_timeout, self._media_write_timeout if files else self._write_timeout)
        connect = _seconds(connect_timeout, self._connect_timeout)
        # aiohttp has no separate write timeout: the whole exchange gets read + write.
        total = None if read is None or write is None else read + write
        timeout = aiohttp.ClientTimeout(total=total, connect=connect, sock_read=read)
        data: aiohttp.FormData | dict[str, str] = fields
        if files:
            form = aiohttp.FormData()
            for name, value in fields.items():
                form.add_field(name, value)
            for name, (filename, content, mimetype) in files.items():
                form.add_field(name, content, filename=filename, content_type=mimetype)
            data = form
        try:
            async with session.request(method, url, data=data, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except (aiohttp.ClientError, OSError) as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}") from error


def _seconds(value: float | object | None, default: float | None) -> float | None:
    """PTB passes DEFAULT_NONE for "the request's own default"."""
    if value is None or isinstance(value, int | float):
        return value
    return default
