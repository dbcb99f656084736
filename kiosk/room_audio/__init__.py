"""The room's own audio controls: the speaker volume, applied to the output and remembered."""
