"""`pexip-kiosk demo`: the embedded simulator with the demo rooms and the kiosk against it."""

from kiosk.demo.runner import run_demo

__all__ = ["run_demo"]
