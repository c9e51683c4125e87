"""Line shapes several stages recognise, in one place: list markers and question lines."""

from __future__ import annotations

import re

LIST_ITEM = re.compile(r"^\s*(?:[-*+•]\s+|\d{1,3}[.、)）]\s*(?=\S)|[(（]\d{1,3}[)）]\s*|[①-⑳]\s*|[一二三四五六七八九十]+[、.]\s*)")
"""A line that starts a list item: `- `, `1.`, `2、`, `(3)`, `④`, `五、`."""
QUESTION = re.compile(r"[?？]\s*$|什么|如何|怎么|为什么|为何|区别|哪些")
"""A line that asks (short lines only: a long line with 什么 in it is usually an answer)."""
