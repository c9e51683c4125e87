"""One exception hierarchy, so every face can turn library errors into one clean line."""


class KgError(Exception):
    """Base of every error kg raises on purpose."""


class SettingsError(KgError):
    """A setting (folder, option, data file) is wrong: we fail at once."""


class DataFileError(SettingsError):
    """A shipped data file (glossary, patterns) does not validate."""


class IndexMissingError(KgError):
    """No index has been built in the data folder yet."""


class IndexOutdatedError(IndexMissingError):
    """The saved index was written by another version of kg: rebuild it from the notes."""


class IndexCorruptError(KgError):
    """The saved index cannot be read back (truncated, edited, wrong version)."""


class UnknownConceptError(KgError):
    """A concept name that resolves to nothing; carries suggestions."""

    def __init__(self, name: str, suggestions: list[str]):
        self.name = name
        self.suggestions = suggestions
        hint = f"; did you mean: {', '.join(suggestions)}" if suggestions else ""
        super().__init__(f"unknown concept {name!r}{hint}")


class NoteRejectedError(KgError):
    """A note the user tried to add cannot be accepted (empty, too big, duplicate, binary)."""


class NoteTooBigError(NoteRejectedError):
    """A note over the size limit (`kg.limits`): refused before it is read whole."""


class NotesUnreadableError(KgError):
    """The notes folder, or a note in it, cannot be read: nothing is built, the last index is kept."""


class QueryTooLongError(KgError):
    """A query over `kg.limits.MAX_QUERY_CHARS`: refused rather than analysed for seconds."""


class StorageError(KgError):
    """Writing failed (disk full, read-only): the message says what was saved and what was not."""


class StudyError(KgError):
    """The review history cannot be used as asked (unknown card, unreadable database)."""
