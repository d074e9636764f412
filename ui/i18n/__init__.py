"""Translations of the screen chrome (Qt Linguist .ts sources, compiled .qm files)."""
