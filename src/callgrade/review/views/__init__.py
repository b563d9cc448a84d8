"""Review pages: the team table, nominations, conflicts and appeals."""
