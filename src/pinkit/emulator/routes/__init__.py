"""One module per API area; importing them registers their handlers and seeders.

To add an area, create ``routes/<area>.py`` with ``@handler("<operationId>")`` functions and
import it here.
"""

from . import oauth, user_account

__all__ = ["oauth", "user_account"]
