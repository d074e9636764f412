"""Package data: the demo catalog shipped with the terminal (``catalog.json``)."""
