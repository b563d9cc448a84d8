"""Interval (intraday) reports in the app: KPIs per 15, 30 or 60 minutes of a day or a range of
times, for the people the reader may see."""
