"""Unit tests of the journey's steps against a fake step context (no threads, no devices)."""
