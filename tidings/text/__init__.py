"""Text helpers shared by every stage (bounds on what any model, regex or parser sees)."""
