"""Review: comments, nominations and appeals."""
