"""Live events: following a growing Asterisk queue_log as Asterisk writes it
(:mod:`.follower`), each line stored durably (:mod:`.store`) before anything acts on it."""
