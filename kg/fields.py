"""Prefixes of the tokens a passage document holds besides its words: one home for writer and reader.

`ingest.assemble` writes them into the passage index; `kg.search` asks for them.
"""

CONCEPT_TOKEN = "c:"
"""`c:<concept>`: the passage mentions the concept (or its heading does)."""
RELATION_TOKEN = "r:"
"""`r:<type>:<concept>`: the passage is the evidence of a typed relation touching the concept."""
SUBJECT_TOKEN = "s:"
"""`s:<concept>`: a unit of the passage starts with the concept (what definitions do)."""
HEADING_TOKEN = "h:"
"""`h:<word>`: a word of the passage's heading path, a field of its own with its own weight."""
