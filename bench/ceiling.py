"""The framework's ceiling: a bare Starlette endpoint returning a fixed HTML page.

Served by the same uvicorn command line as the forum, with a page of the same byte size as
the forum's thread page (``BENCH_CEILING_BYTES``), it is as fast as any page of the forum
could be on this machine. Each page's throughput is reported as a share of it.
"""

import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

SIZE_VARIABLE = "BENCH_CEILING_BYTES"
DEFAULT_BYTES = 29_000
FILLER = "<p>A fixed paragraph standing in for a comment, so the page weighs what a thread page weighs.</p>\n"


def fixed_page(size: int) -> bytes:
    """A valid HTML page of exactly ``size`` bytes (or the smallest one, if ``size`` is smaller)."""
    head, tail = "<!doctype html>\n<html><head><title>Ceiling</title></head><body>\n", "</body></html>\n"
    room = max(0, size - len(head) - len(tail))
    paragraphs = room // len(FILLER)
    return (head + FILLER * paragraphs + " " * (room - paragraphs * len(FILLER)) + tail).encode()


def create_app() -> Starlette:
    page = fixed_page(int(os.environ.get(SIZE_VARIABLE, DEFAULT_BYTES)))

    async def fixed(_request: Request) -> HTMLResponse:
        return HTMLResponse(page)

    return Starlette(routes=[Route("/", fixed)])
