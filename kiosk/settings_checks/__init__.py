"""Strict checks of the kiosk's settings input: the `.env` file, each value, each key's name,
and the files that settings name (CA bundles, rules files). `kiosk.config` uses them."""
