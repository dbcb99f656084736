"""Reading the meeting's video track into the display mailbox."""

from __future__ import annotations

from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

from kiosk.media.frame_mailbox import FrameMailbox
from kiosk.media.rate_meter import RateMeter


async def read_remote_video(track: MediaStreamTrack, mailbox: FrameMailbox,
                            meter: RateMeter) -> None:
    """Put every decoded frame of `track` into `mailbox` (newest only) until the track ends.

    Reading as fast as frames come also keeps aiortc's unbounded decoded-frame
    queue empty.
    """
    try:
        while True:
            frame = await track.recv()
            mailbox.put(frame)
            meter.tick((frame.width, frame.height))
    except MediaStreamError:
        return
