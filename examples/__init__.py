"""Example applications built on pinkit (not part of the installed package)."""
