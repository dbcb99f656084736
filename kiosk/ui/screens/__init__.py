"""One module per kiosk screen; layouts in the .kv file of the same name."""
