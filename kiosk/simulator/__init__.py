"""A stand-in Pexip Conferencing Node: the embedded default of the demo and the far end of tests.

- `rooms.py`: the rooms file (`RoomConfig`, `load_rooms`, `load_demo_rooms`).
- `server.py`: `Simulator`, the aiohttp HTTPS server; `background.py`: `SimulatorThread`.
- `node.py`: the node's behaviour; `client_api.py` / `control_api.py`: its HTTP routes.
- `far_end.py`: the aiortc peer answering each call.
- `main.py`: `pexip-kiosk sim`.
"""
