"""One module per API area; importing them registers their handlers and seeders.

To add an area, create ``routes/<area>.py`` with ``@handler("<operationId>")`` functions and
import it here.
"""

from . import boards, media, oauth, pins, user_account

__all__ = ["boards", "media", "oauth", "pins", "user_account"]
