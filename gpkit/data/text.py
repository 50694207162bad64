"""Text corpora for the character-level language model (Table 4): lines of characters, a vocabulary, one-hot codes.

Corpora (``CORPORA``):

- ``billion_word``: the One Billion Word benchmark (the paper's data), read from its standard training files
  ``<root>/1-billion-word-language-modeling-benchmark-r13output/training-monolingual.tokenized.shuffled/
  news.en-000NN-of-00100`` (NN = 01..99, as the reference reads them). Not downloadable here: absent files raise a
  ``FileNotFoundError`` saying where they come from.
- ``fortunes``: an English stand-in available offline, the fortune cookie files of Debian's ``fortunes`` package.
  :func:`gpkit.data.sources.prepare_fortunes` (``make data``) turns them into ``<root>/fortunes/sentences.txt``: every fortune's text with its
  whitespace collapsed, split into sentences, one per line (the benchmark's shape: one sentence per line), from
  the installed package (``/usr/share/games/fortunes``) or ``apt-get download``.

As the reference: every line is truncated to ``seq_len`` characters and right-padded with :data:`PAD` (a
backtick); the vocabulary holds :data:`UNK` at index 0 and then the most frequent characters (at most
``max_size`` - 1 of them); characters outside it become :data:`UNK`. Codes are ``(N, L)`` int64 tensors, one-hot
codes ``(N, L, V)`` float tensors, and decoding takes the argmax over the last axis.
"""

from __future__ import annotations

import collections
import itertools
import random
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from gpkit.params import check_choice, check_int

__all__ = ["CORPORA", "PAD", "UNK", "Vocabulary", "billion_word_files", "fortunes_file", "fortune_sentences",
           "load_lines", "pad_lines"]

CORPORA = ("billion_word", "fortunes")
PAD = "`"
#: The unknown-character symbol (the reference's ``'unk'`` token, as one character so that lines keep their length).
UNK = "\ufffd"
BILLION_WORD_DIR = "1-billion-word-language-modeling-benchmark-r13output"
BILLION_WORD_TRAIN = "training-monolingual.tokenized.shuffled"
BILLION_WORD_URL = "http://www.statmt.org/lm-benchmark/1-billion-word-language-modeling-benchmark-r13output.tar.gz"
FORTUNES_PACKAGE = "fortunes"
FORTUNES_DIRS: list[Path] = [Path("/usr/share/games/fortunes")]
#: Fortune files left out: pictures, not sentences.
FORTUNES_SKIP = ("ascii-art", "art")


def pad_lines(lines: Iterable[str], seq_len: int = 32) -> list[str]:
    """Truncate every line to ``seq_len`` characters and right-pad it with :data:`PAD`."""
    seq_len = check_int("seq_len", seq_len, minimum=1)
    return [line[:seq_len].ljust(seq_len, PAD) for line in lines]


@dataclass(frozen=True)
class Vocabulary:
    """Characters by index: ``chars[0]`` is :data:`UNK`, then the most frequent characters of the corpus."""

    chars: tuple[str, ...]

    @classmethod
    def build(cls, lines: Iterable[str], max_size: int = 2048) -> "Vocabulary":
        """:data:`UNK` plus the ``max_size - 1`` most frequent characters of ``lines`` (ties: first seen first)."""
        max_size = check_int("max_size", max_size, minimum=2)
        counts = collections.Counter(c for line in lines for c in line)
        counts.pop(UNK, None)
        return cls((UNK, *(c for c, _ in counts.most_common(max_size - 1))))

    def __len__(self) -> int:
        return len(self.chars)

    @property
    def index(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.chars)}

    def encode(self, lines: Sequence[str]) -> torch.Tensor:
        """Equal-length ``lines`` to codes ``(N, L)`` int64; characters outside the vocabulary become 0 (UNK)."""
        if not lines:
            return torch.zeros(0, 0, dtype=torch.long)
        length = len(lines[0])
        if any(len(line) != length for line in lines):
            raise ValueError("lines must all have the same length (use pad_lines first)")
        index = self.index
        return torch.tensor([[index.get(c, 0) for c in line] for line in lines], dtype=torch.long)

    def decode(self, codes: torch.Tensor) -> list[str]:
        """Codes ``(N, L)``, or one-hot/probabilities ``(N, L, V)`` decoded by argmax, to strings."""
        if codes.ndim == 3:
            codes = codes.argmax(-1)
        if codes.ndim != 2:
            raise ValueError(f"codes must be (N, L) or (N, L, V), got shape {tuple(codes.shape)}")
        return ["".join(self.chars[i] for i in row) for row in codes.tolist()]

    def one_hot(self, codes: torch.Tensor) -> torch.Tensor:
        """Codes ``(N, L)`` to one-hot vectors ``(N, L, V)`` (float32)."""
        return torch.nn.functional.one_hot(codes, len(self)).float()


# ---------------------------------------------------------------------------------------------- corpora
def billion_word_files(root: str | Path = "data") -> list[Path]:
    """The 99 training files the reference reads; ``FileNotFoundError`` saying where to get them if none is there."""
    folder = Path(root) / BILLION_WORD_DIR / BILLION_WORD_TRAIN
    files = [folder / f"news.en-{i:05d}-of-00100" for i in range(1, 100)]
    present = [f for f in files if f.is_file()]
    if not present:
        raise FileNotFoundError(
            f"Billion Word training files not found (looked for {files[0]} .. {files[-1].name}). Download "
            f"{BILLION_WORD_URL} (about 1.7 GB) on a machine with network access and extract it into {Path(root)} "
            f"(`tar -xzf 1-billion-word-language-modeling-benchmark-r13output.tar.gz -C {Path(root)}`). "
            "Without it, use corpus='fortunes' (an offline English stand-in, not the paper's data)."
        )
    return present


#: A sentence ends after . ! or ? (and a closing quote or bracket) where whitespace and a capital or quote follow.
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"')]))\s+(?=[A-Z\"'(])")


def fortune_sentences(text: str) -> list[str]:
    """The sentences of one fortune file's text: entries split at ``%`` lines, attribution lines (``-- name``)
    dropped, whitespace collapsed, split after ``.``, ``!`` or ``?``; lines with control characters (overstrike)
    or non-ASCII characters are left out."""
    out = []
    for entry in re.split(r"^%\s*$", text, flags=re.MULTILINE):
        body = " ".join(line.strip() for line in entry.splitlines() if not line.strip().startswith("--"))
        body = re.sub(r"\s+", " ", body).strip()
        if not body or any(ord(c) < 32 or ord(c) > 126 for c in body):
            continue
        out.extend(s.strip() for s in _SENTENCE_END.split(body) if s.strip())
    return out


def _fortune_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.is_symlink() and p.suffix not in (".dat", ".u8")
                  and p.name not in FORTUNES_SKIP)


def fortunes_file(root: str | Path = "data") -> Path:
    """``<root>/fortunes/sentences.txt``, the offline corpus ``make data`` prepares from Debian's ``fortunes``
    package (:func:`gpkit.data.sources.prepare_fortunes`); ``FileNotFoundError`` saying so when it is missing."""
    path = Path(root) / "fortunes" / "sentences.txt"
    if not (path.is_file() and path.stat().st_size > 0):
        raise FileNotFoundError(
            f"{path} not found: the offline corpus is made from Debian's {FORTUNES_PACKAGE} package by `make data` "
            f"(python -m gpkit.data.fetch fortunes), which installs nothing (apt-get download + dpkg-deb -x)"
        )
    return path


def _nonempty_lines(files: Iterable[Path]) -> Iterator[str]:
    """The non-empty lines of ``files``, in order, without their newline."""
    for path in files:
        with path.open(encoding="utf-8", errors="replace") as fh:
            yield from (text for line in fh if (text := line.rstrip("\n")))


def load_lines(
    corpus: str,
    root: str | Path = "data",
    *,
    seq_len: int = 32,
    max_lines: int | None = None,
    seed: int = 0,
) -> list[str]:
    """The corpus as lines of exactly ``seq_len`` characters (truncated, right-padded with :data:`PAD`), shuffled
    with ``seed``; at most ``max_lines`` (read in file order first, as the reference reads at most
    ``MAX_N_EXAMPLES``). Empty lines are dropped."""
    check_choice("corpus", corpus, CORPORA)
    if max_lines is not None:
        max_lines = check_int("max_lines", max_lines, minimum=1)
    files = [fortunes_file(root)] if corpus == "fortunes" else billion_word_files(root)
    raw = list(itertools.islice(_nonempty_lines(files), max_lines))
    lines = pad_lines(raw, seq_len)
    random.Random(seed).shuffle(lines)
    return lines
