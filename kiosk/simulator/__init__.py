"""A stand-in Pexip Conferencing Node: the embedded default of the demo and the far end of tests.

- `rooms.py`: the rooms file (`RoomConfig`, `load_rooms`, `load_demo_rooms`).
- `server.py`: `Simulator`, the aiohttp HTTPS server. Two ways to run it: `background.py`,
  `SimulatorThread` (in a thread of this process, for tests) and `child_process.py`,
  `SimulatorProcess` (a child process, for the demo and the benchmarks). Either one's
  `control` is a `control_client.SimulatorControl` for the `/_sim/` API.
- `node.py`: the node's behaviour; `client_api.py` / `control_api.py`: its HTTP routes.
- `far_end.py`: the aiortc peer answering each call (and making server offers), or any
  other `FarEndFactory` given to `Simulator(far_ends=...)`; it sends what
  `far_end_video.py` says: `pattern_video.py` (colour bars with a small status label,
  the default) or a real meeting's 720p picture (`clip_video.py`: pre-encoded clips from
  `recorded_clips.py`), and a quiet tone (the test microphone's `ToneTrack`);
  `frame_checks.py`: its black-picture / silence tests; `ice_blackhole.py`: the
  ICE-never-answers fault; `fault_injector.py`: the `/_sim/faults` middleware;
  `hostile_replies.py`: replies trickled a byte at a time or never ending;
  `stream_faults.py`: event floods and raw bytes written into event streams.
- `schema_recorder.py`: what it sends, recorded for the tests' check against Pexip's
  published schemas. `network_cable.py`: a loopback TCP relay whose "cable" can be
  pulled (nothing answered, nothing refused) and plugged back, for tests.
- `main.py`: `pexip-kiosk sim`.
"""
