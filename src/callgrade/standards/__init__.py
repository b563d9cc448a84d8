"""Standards: the published grading standard."""
