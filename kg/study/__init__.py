"""Study with the graph: a question bank, cards read off the typed relations, FSRS reviews.

Everything here but `storage` is a pure function over the built index (or over a
note's text), so the CLI and the Study page compute the same cards. The review
history is the user's data: `storage` keeps it in its own SQLite file, outside the
rebuildable index folder.
"""
