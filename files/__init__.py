"""Stored files: storage, download with HTTP Range, expiry."""
