"""The Conversions API: server-side events, deduplicated, and their Event Quality Score."""
