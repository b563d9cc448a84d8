"""Services: every write, each ``<entity>_<action>(*, ..., actor)`` inside one transaction."""
