"""Audiences: from customer lists, Actalikes of other audiences, and the other types."""
