"""Starting the kiosk app: launch options, the run loop, media imported after Home."""
