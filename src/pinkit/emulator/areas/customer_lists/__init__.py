"""Customer lists: records matched against Pinterest users on the emulator clock."""
