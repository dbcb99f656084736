"""HTTP with hard limits: every exchange has a total deadline and a cap on what it reads.

`requests` only bounds each socket read, so a peer that trickles one byte every
few seconds (or sends an endless body) could hold a thread, or fill memory,
forever. `bounded_request` bounds the whole exchange instead; the Infinity
client, the presentation images and the calendar fetcher all use it.
"""

from kiosk.net.bounded_request import (
    BodyTooLarge,
    BoundedReply,
    DeadlineExceeded,
    HttpLimits,
    bounded_request,
)
from kiosk.net.deadline_adapter import DeadlineAdapter

__all__ = (
    "BodyTooLarge",
    "BoundedReply",
    "DeadlineAdapter",
    "DeadlineExceeded",
    "HttpLimits",
    "bounded_request",
)
