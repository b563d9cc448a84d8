"""HR's organization pages and the record of people."""
