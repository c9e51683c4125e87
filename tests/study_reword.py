"""Reword a note: the same facts in other words and other punctuation (for the card-id stability test).

A transformation, not text: ASCII punctuation becomes full-width (and back), and
function words become synonyms a note writer might equally have used.
"""

from __future__ import annotations

import re

SYNONYMS = {
    "解决办法": "应对手段", "解决方法": "解决办法", "处理方法": "应对办法", "的处理": "的应对办法",
    "一般是": "通常是", "一般": "通常", "用于": "用来", "使用": "采用", "可以": "能够", "导致": "造成",
    "通过": "借助", "因为": "由于", "进行": "做", "非常": "十分", "很": "相当", "之间": "当中",
    "防止": "避免", "引入": "加入", "提高": "提升", "减少": "降低",
}
PUNCTUATION = {",": "，", ":": "：", "(": "（", ")": "）", ";": "；", "，": ",", "：": ":"}


def reword(text: str) -> str:
    """`text` with synonyms swapped in and its punctuation flipped between ASCII and full-width.

    Examples
    --------
    >>> reword("过拟合的处理:数据增广、早停(一般)")
    '过拟合的应对办法：数据增广、早停（通常）'
    """
    pattern = re.compile("|".join(map(re.escape, sorted(SYNONYMS, key=len, reverse=True))))
    text = pattern.sub(lambda m: SYNONYMS[m.group(0)], text)
    return text.translate(str.maketrans(PUNCTUATION))
