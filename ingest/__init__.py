"""The write path: notes on disk → extracted facts → a saved index.

One module per stage, each a plain function over `kg.models`:
`read` → `clean` → `passages` → `concepts` → `relations` → `build` (→ `append`).
"""
