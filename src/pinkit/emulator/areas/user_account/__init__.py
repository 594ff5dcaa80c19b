"""The user account: profile, followers, following, websites, interests, businesses."""
