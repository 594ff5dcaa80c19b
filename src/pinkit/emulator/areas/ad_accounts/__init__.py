"""Ad accounts: who owns them, who else may use them and how, their currency, and the
sandbox's account deletion."""
