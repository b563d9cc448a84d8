"""The engine: plain Python over columnar data. It never imports Django (import-linter enforces
this), never reads settings or the clock, and returns plain results."""
