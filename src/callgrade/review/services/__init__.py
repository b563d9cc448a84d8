"""Writes: comments, nominations, conflicts and appeals."""
