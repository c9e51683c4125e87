"""A notes folder of many one-line notes: the scale case of issue 9 (cold `kg search` at 100k notes).

    python3 bench/many_notes.py /tmp/cold/n100k 100000

Each note is one sentence relating two of a few ML terms (`残差连接缓解早停,第1002条笔记。`),
1,000 notes a folder (`d001/n0002.md`). Seeded, so two runs write the same bytes.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

TERMS = ("过拟合", "dropout", "batch normalization", "梯度消失", "残差连接", "注意力机制", "transformer", "学习率",
         "早停", "数据增强", "ReLU", "softmax", "池化", "感受野", "动量", "正则化", "目标检测")
LINKS = ("缓解", "可以防止", "改进了", "属于", "用于", "会导致", "不同于")
PER_FOLDER = 1000


def one_line_notes(folder: Path, n: int, seed: int = 9) -> None:
    """Write `n` one-line notes under `folder` (made if missing)."""
    rng = random.Random(seed)
    for i in range(n):
        head, tail = rng.sample(TERMS, 2)
        path = folder / f"d{i // PER_FOLDER:03d}" / f"n{i % PER_FOLDER:04d}.md"
        if i % PER_FOLDER == 0:
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{head}{rng.choice(LINKS)}{tail},第{i}条笔记。\n", encoding="utf-8")


if __name__ == "__main__":
    one_line_notes(Path(sys.argv[1]), int(sys.argv[2]))
