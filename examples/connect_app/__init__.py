"""A small FastAPI app that lets each of its users connect their Pinterest account.

Sign in (a minimal local login), "Connect Pinterest" (consent, then back), see your boards,
create a pin from an image URL, place a test order whose conversion the server sends while
the page fires the Pinterest tag with the same event id, and disconnect. It runs under
several worker processes, on SQLite by default and on PostgreSQL and Redis when their URLs
are given. ``python -m examples.connect_app`` (``make webapp``) runs it against the emulator.
"""
