"""Which GL renderer draws the window: a GPU, or the CPU (Mesa's llvmpipe/softpipe)."""

from __future__ import annotations

SOFTWARE_RENDERERS = ("llvmpipe", "softpipe", "swrast", "software rasterizer", "swr")


def renderer_name() -> str:
    """GL_RENDERER of the current context ("" when it cannot be read). Needs the Window."""
    from kivy.graphics.opengl import GL_RENDERER, glGetString

    try:
        name = glGetString(GL_RENDERER)
    except Exception:  # no context (mock GL backend): treat as unknown
        return ""
    return name.decode(errors="replace") if isinstance(name, bytes) else str(name or "")


def is_software(name: str) -> bool:
    """True when `name` (a GL_RENDERER string) is a CPU rasterizer."""
    lowered = name.lower()
    return any(marker in lowered for marker in SOFTWARE_RENDERERS)
