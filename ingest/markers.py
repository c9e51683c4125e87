"""Line shapes several stages recognise, in one place: list markers and questions.

Each is one named definition with the one meaning its users rely on; the stages import them
from here instead of keeping copies.
"""

from __future__ import annotations

import re

LIST_ITEM = re.compile(r"^\s*(?:[-*+•]\s+|\d{1,3}[.、)）]\s*(?=\S)|[(（]\d{1,3}[)）]\s*|[①-⑳]\s*|[一二三四五六七八九十]+[、.]\s*)")
"""A line that starts a list item: `- `, `1.`, `2、`, `(3)`, `④`, `五、`."""
QUESTION = re.compile(r"[?？]\s*$|什么|如何|怎么|为什么|为何|区别|哪些")
"""A line that asks (short lines only: a long line with 什么 in it is usually an answer)."""
LIST_MARKER = re.compile(r"^\s*(?:[-*+•]\s*|\d{1,3}[.、)）]\s*|[(（]\d{1,3}[)）]\s*)")
"""The marker in front of an item's text, to strip it (`- `, `1.`, `(2)`): looser than `LIST_ITEM`,
which must also tell an item from a line that merely starts with a dash."""
QUESTION_SENTENCE = re.compile(r"[?？]\s*$|怎么|如何|为什么|为何|是否|吗[?？]?\s*$|\bhow\b|\bwhy\b|\bwhat\b", re.I)
"""A sentence that asks rather than states (relation patterns skip it unless they take questions)."""
QUESTION_WORDS = re.compile(r"有哪些|哪些|什么|如何|怎么|怎样|为什么|为何|是否|吗|呢")
"""Question words: a term that holds one is a question, never a concept name."""
