"""kg: a bilingual knowledge graph of interview notes (the core library).

The core knows no face (CLI, Streamlit) and no pipeline: it holds the models,
the tokenizer, the lexicon, search, graph functions and the on-disk store.
"""

__version__ = "0.1.0"
