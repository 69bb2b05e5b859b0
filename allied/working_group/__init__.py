"""The working group: one ranked queue of allied requests, the guidance log, the weekly brief."""
