"""The API Sandbox's own operation: deleting an ad account's sandbox data."""
