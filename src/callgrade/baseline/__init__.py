"""The current-state report (现状调研): staffing, KPI distributions and data coverage before a
standard is set, computed in the background and kept for people to read and download."""
