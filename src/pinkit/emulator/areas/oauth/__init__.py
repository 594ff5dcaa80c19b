"""OAuth: the token endpoint (three grants, rotation), revocation, the consent page."""
