"""Find note files, read them within the size limit, and decode them: the write path's names for
`kg.notes` (the core owns them, since every read checks which notes changed)."""

from kg.notes import (  # noqa: F401 (re-exported for the write path)
    NOTE_SUFFIXES,
    NoteTooBig,
    UndecodableNote,
    UnreadableNote,
    decode,
    find_notes,
    read_note,
    read_stream,
    readable_name,
)
