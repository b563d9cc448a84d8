"""callgrade: call-center staff job grading from real telephony, quality and HR data."""

__version__ = "0.1.0"
