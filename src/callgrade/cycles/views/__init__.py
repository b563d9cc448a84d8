"""HR's cycle pages and everyone's scorecard."""
