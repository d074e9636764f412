"""TEST AND DEMO ONLY: an eMRTD card emulator of our own, for Debian's ``vsmartcard-vpcd``.

Never install ``vsmartcard-vpcd`` on a production terminal: vpcd listens on all interfaces and
anyone on the network could "insert" a card. Nothing in the product imports this package; tests,
``bench/idread.py`` and staff training machines do.
"""
