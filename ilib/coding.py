"""Arithmetic coding and an adaptive context model: entropy as a file size.

An arithmetic coder turns a sequence of probabilities into bits: after ``n``
symbols with model probabilities ``q(x_1), ..., q(x_n)`` it has written at most
``-sum(log2 q(x_i)) + 2`` bits (plus a rounding loss below ``2**-29`` bits per
symbol), so a model's cross-entropy on a text *is* the size of the file it
compresses that text to. This module has:

- :class:`ArithmeticEncoder` and :class:`ArithmeticDecoder`, an exact
  integer coder (Witten, Neal and Cleary's, with 64-bit registers held in
  Python integers, carries resolved by "pending" bits);
- :func:`arithmetic_encode` and :func:`arithmetic_decode` for i.i.d. symbols
  with fixed integer frequencies;
- :func:`compress_text` and :func:`decompress_text`, which drive the coder
  with an adaptive order-``k`` character model (PPM with escape method D);
- :func:`book_prose`, the frozen text of the book's own prose that chapter 01 compresses.

See chapter 01, section 1.3 (arithmetic coding) and section 1.4 (compressing
this book).
"""

import bisect
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ilib import _validate

__all__ = [
    "MAX_TOTAL",
    "ArithmeticDecoder",
    "ArithmeticEncoder",
    "Compressed",
    "arithmetic_decode",
    "arithmetic_encode",
    "book_prose",
    "compress_text",
    "decompress_text",
]

_BITS = 64
_TOP = (1 << _BITS) - 1
_HALF = 1 << (_BITS - 1)
_QUARTER = 1 << (_BITS - 2)
_THREE_QUARTERS = 3 * _QUARTER

#: The largest total frequency a coding step may use. With the interval wider
#: than a quarter of 2**64 after every step, each step loses at most
#: ``2 * MAX_TOTAL / 2**62 = 2**-29`` bits to integer rounding.
MAX_TOTAL = 1 << 32

#: Code points of Unicode: a character never seen before is coded uniformly
#: among those not yet seen.
_CODE_POINTS = 0x110000


def _narrow(register_low, register_high, low, high, total):
    """The interval ``[register_low, register_high]`` narrowed to ``[low, high)`` of ``total``.

    Encoder and decoder narrow the same way, which is what keeps them in step.
    """
    if not 0 <= low < high <= total <= MAX_TOTAL:
        raise ValueError(
            f"need 0 <= low < high <= total <= {MAX_TOTAL}, got low={low}, high={high}, "
            f"total={total}"
        )
    width = register_high - register_low + 1
    return register_low + width * low // total, register_low + width * high // total - 1


class ArithmeticEncoder:
    """Exact integer arithmetic encoder.

    Each call of :meth:`encode` narrows the current interval to the sub-interval
    ``[low, high)`` of ``total`` equal parts; bits are written as soon as the
    interval lies in one half of the range. When it straddles the middle
    within the two middle quarters, the next bit is not yet known: the
    interval is widened and the bit counted as *pending*, to be written (with
    the opposite value of the next known bit) later, which is how carries are
    handled without ever holding more than 64 bits.

    See chapter 01, section 1.3 (arithmetic coding).
    """

    def __init__(self):
        self._low = 0
        self._high = _TOP
        self._pending = 0
        self._bits = []
        self._finished = False

    def _emit(self, bit):
        self._bits.append(bit)
        if self._pending:
            self._bits.extend([1 - bit] * self._pending)
            self._pending = 0

    def encode(self, low, high, total):
        """Code the sub-interval ``[low, high)`` out of ``total`` (integers).

        Raises
        ------
        ValueError
            If not ``0 <= low < high <= total <= MAX_TOTAL``, or after :meth:`finish`.
        """
        if self._finished:
            raise ValueError("encode called after finish")
        self._low, self._high = _narrow(self._low, self._high, low, high, total)
        while True:
            if self._high < _HALF:
                self._emit(0)
            elif self._low >= _HALF:
                self._emit(1)
                self._low -= _HALF
                self._high -= _HALF
            elif self._low >= _QUARTER and self._high < _THREE_QUARTERS:
                self._pending += 1
                self._low -= _QUARTER
                self._high -= _QUARTER
            else:
                break
            self._low <<= 1
            self._high = (self._high << 1) | 1

    def finish(self):
        """Write the last bits and return ``(data, nbits)``.

        Two more bits (and any pending ones) pick a point inside the final
        interval; the decoder reads zeros past the end of ``data``.

        Returns
        -------
        data : bytes
            The code, padded with zero bits to whole bytes.
        nbits : int
            The number of bits the code needs (``len(data) == ceil(nbits / 8)``).
        """
        if not self._finished:
            self._pending += 1
            self._emit(0 if self._low < _QUARTER else 1)
            self._finished = True
        bits = np.array(self._bits, dtype=np.uint8)
        return np.packbits(bits).tobytes(), len(self._bits)


class ArithmeticDecoder:
    """Exact integer arithmetic decoder, the mirror of :class:`ArithmeticEncoder`.

    For each symbol call :meth:`target` with the step's ``total`` to learn
    where the code falls, find the sub-interval ``[low, high)`` containing
    that number, and pass it to :meth:`consume`.

    See chapter 01, section 1.3 (arithmetic coding).
    """

    def __init__(self, data):
        if not isinstance(data, (bytes, bytearray)):
            raise ValueError(f"data must be bytes, got {type(data).__name__}")
        self._bits = np.unpackbits(np.frombuffer(bytes(data), dtype=np.uint8)).tolist()
        self._next = 0
        self._low = 0
        self._high = _TOP
        self._value = 0
        for _ in range(_BITS):
            self._value = (self._value << 1) | self._read()

    def _read(self):
        i = self._next
        self._next += 1
        return self._bits[i] if i < len(self._bits) else 0

    def target(self, total):
        """The count in ``range(total)`` whose sub-interval holds the code."""
        if not 0 < total <= MAX_TOTAL:
            raise ValueError(f"total must be in 1..{MAX_TOTAL}, got {total}")
        width = self._high - self._low + 1
        return ((self._value - self._low + 1) * total - 1) // width

    def consume(self, low, high, total):
        """Move past the symbol whose sub-interval is ``[low, high)`` of ``total``."""
        self._low, self._high = _narrow(self._low, self._high, low, high, total)
        while True:
            if self._high < _HALF:
                pass
            elif self._low >= _HALF:
                self._low -= _HALF
                self._high -= _HALF
                self._value -= _HALF
            elif self._low >= _QUARTER and self._high < _THREE_QUARTERS:
                self._low -= _QUARTER
                self._high -= _QUARTER
                self._value -= _QUARTER
            else:
                break
            self._low <<= 1
            self._high = (self._high << 1) | 1
            self._value = (self._value << 1) | self._read()


# ---------------------------------------------------------------------------
# i.i.d. symbols with fixed frequencies
# ---------------------------------------------------------------------------


def _cumulative(freqs):
    counts = _validate.non_negative_int_array(freqs, "freqs")
    if counts.ndim != 1:
        raise ValueError(f"freqs must be 1-D, got shape {counts.shape}")
    total = int(counts.sum())
    if total == 0:
        raise ValueError("freqs must have a positive entry")
    if total > MAX_TOTAL:
        raise ValueError(f"freqs must sum to at most {MAX_TOTAL}, got {total}")
    return [0, *np.cumsum(counts).tolist()]


def arithmetic_encode(symbols, freqs):
    """Arithmetic-code i.i.d. symbols whose probabilities are ``freqs / sum(freqs)``.

    The code has ``nbits <= -sum(log2 q(x_i)) + 2 + n * 2**-29`` bits, where
    ``q = freqs / sum(freqs)`` and ``n = len(symbols)``: within 2 bits of the
    ideal length in total, however many symbols, where a Huffman code can lose
    up to 1 bit on every symbol.

    See chapter 01, section 1.3 (arithmetic coding).

    Parameters
    ----------
    symbols : array_like of int, 1-D
        The message: indices into ``freqs``; each must have a positive frequency.
    freqs : array_like of int, 1-D
        Non-negative integer frequencies with a positive sum of at most :data:`MAX_TOTAL`.

    Returns
    -------
    data : bytes
        The code (zero-padded to whole bytes).
    nbits : int
        Its length in bits.

    Raises
    ------
    ValueError
        If ``freqs`` is not as described, or a symbol is out of range or has
        frequency 0.
    """
    cum = _cumulative(freqs)
    message = _validate.non_negative_int_array(symbols, "symbols", allow_empty=True)
    if message.ndim != 1:
        raise ValueError(f"symbols must be 1-D, got shape {message.shape}")
    k = len(cum) - 1
    if message.size and int(message.max()) >= k:
        raise ValueError(f"symbols must be below len(freqs) = {k}, got {int(message.max())}")
    counts = np.diff(cum)
    if message.size and (counts[message] == 0).any():
        bad = int(message[counts[message] == 0][0])
        raise ValueError(f"symbols contains {bad}, whose frequency is 0")
    total = cum[-1]
    encoder = ArithmeticEncoder()
    for s in message.tolist():
        encoder.encode(cum[s], cum[s + 1], total)
    return encoder.finish()


def arithmetic_decode(data, n, freqs):
    """Decode ``n`` symbols coded by :func:`arithmetic_encode` with the same ``freqs``.

    See chapter 01, section 1.3 (arithmetic coding).

    Returns
    -------
    numpy.ndarray of int
        The ``n`` symbols.

    Raises
    ------
    ValueError
        If ``data`` is not bytes, ``n`` is not a non-negative integer, or ``freqs`` is invalid.
    """
    cum = _cumulative(freqs)
    n = _validate.non_negative_int(n, "n")
    decoder = ArithmeticDecoder(data)
    total = cum[-1]
    out = []
    for _ in range(n):
        s = bisect.bisect_right(cum, decoder.target(total)) - 1
        decoder.consume(cum[s], cum[s + 1], total)
        out.append(s)
    return np.array(out, dtype=np.int64)


# ---------------------------------------------------------------------------
# an adaptive context model for text
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Compressed:
    """A text compressed by :func:`compress_text`.

    Attributes
    ----------
    data : bytes
        The file: the number of characters (4 bytes, big-endian), then the code.
    code_bits : int
        Length of the arithmetic code in bits (``data`` holds ``4 + ceil(code_bits / 8)`` bytes).
    model_bits : float
        The model's ideal code length ``-sum(log2 q(x_i | context))``, summed
        over the characters of the text.
    """

    data: bytes
    code_bits: int
    model_bits: float


class _PPM:
    """Order-``k`` character contexts, escape method D, exclusion, full update.

    A context (the previous ``j`` characters, ``j = k, ..., 0``) in which
    ``n`` characters have been counted, ``u`` of them distinct, gives a seen
    character of count ``c`` the probability ``(2c - 1) / (2n)`` and an
    *escape* to the next shorter context the probability ``u / (2n)``;
    characters already offered by a longer context are excluded from the
    counts. Below order 0, a character never seen is coded uniformly among the
    Unicode code points not yet seen. After each character, its count goes up
    by 1 in every context of order 0 to ``k``.
    """

    def __init__(self, order):
        self.order = order
        self.tables = [{} for _ in range(order + 1)]
        self.seen = []  # sorted code points seen so far

    def contexts(self, history):
        """The context tables for the current position, longest first (created if new)."""
        found = []
        for j in range(min(self.order, len(history)), -1, -1):
            key = history[len(history) - j:]
            table = self.tables[j].get(key)
            if table is None:
                table = self.tables[j][key] = {}
            found.append(table)
        return found

    def update(self, tables, char):
        for table in tables:
            table[char] = table.get(char, 0) + 1
        if len(tables[-1]) > len(self.seen):  # char is new to the order-0 table
            bisect.insort(self.seen, ord(char))


def _escape_steps(table, excluded):
    """Symbols offered by ``table`` that are not excluded: ``(chars, counts, n, u)``."""
    if excluded:
        chars = [c for c in table if c not in excluded]
        counts = [table[c] for c in chars]
    else:  # the longest context: nothing excluded yet, so skip the membership tests
        chars, counts = list(table), list(table.values())
    return chars, counts, sum(counts), len(chars)


def compress_text(text, order=3):
    """Compress ``text`` with an adaptive order-``order`` context model and arithmetic coding.

    The model (PPM with escape method D and exclusion) starts knowing nothing
    and learns character counts from the text as it goes, so the decoder can
    rebuild the same probabilities from the characters it has already
    decoded. ``model_bits`` is the model's total ideal code length
    ``-sum(log2 q(x_i | previous characters))``; the code has at most
    ``model_bits + 2`` bits (plus rounding below ``2**-29`` bits a step).

    See chapter 01, section 1.4 (compress this book).

    Parameters
    ----------
    text : str
        The text (any Unicode; fewer than ``2**32`` characters).
    order : int, default 3
        Longest context, in characters (0 or more).

    Returns
    -------
    Compressed

    Raises
    ------
    ValueError
        If ``text`` is not a string or ``order`` is not a non-negative integer.
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    order = _validate.non_negative_int(order, "order")
    if len(text) >= 1 << 32:
        raise ValueError(f"text must have fewer than 2**32 characters, got {len(text)}")
    model = _PPM(order)
    encoder = ArithmeticEncoder()
    model_bits = 0.0
    for i, char in enumerate(text):
        tables = model.contexts(text[max(0, i - order):i])
        excluded = set()
        found = False
        for table in tables:
            chars, counts, n, u = _escape_steps(table, excluded)
            if u == 0:
                continue  # nothing to offer: the decoder skips this context too
            total = 2 * n
            if char in table and char not in excluded:
                position = chars.index(char)
                low = 2 * sum(counts[:position]) - position  # sum of 2k - 1 before char
                width = 2 * table[char] - 1
                encoder.encode(low, low + width, total)
                model_bits += math.log2(total / width)
                found = True
                break
            encoder.encode(2 * n - u, total, total)
            model_bits += math.log2(total / u)
            excluded.update(chars)
        if not found:
            point = ord(char)
            total = _CODE_POINTS - len(model.seen)
            index = point - bisect.bisect_left(model.seen, point)
            encoder.encode(index, index + 1, total)
            model_bits += math.log2(total)
        model.update(tables, char)
    payload, code_bits = encoder.finish()
    return Compressed(len(text).to_bytes(4, "big") + payload, code_bits, model_bits)


def decompress_text(data, order=3):
    """Invert :func:`compress_text` (``data`` is its ``Compressed.data``; same ``order``).

    See chapter 01, section 1.4 (compress this book).

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If ``data`` is not bytes of at least 4 bytes or ``order`` is invalid.
    """
    if not isinstance(data, (bytes, bytearray)) or len(data) < 4:
        raise ValueError("data must be the bytes returned by compress_text")
    order = _validate.non_negative_int(order, "order")
    n = int.from_bytes(data[:4], "big")
    decoder = ArithmeticDecoder(bytes(data[4:]))
    model = _PPM(order)
    out = []
    for _ in range(n):
        history = "".join(out[-order:]) if order else ""
        tables = model.contexts(history)
        excluded = set()
        char = None
        for table in tables:
            chars, counts, n_seen, u = _escape_steps(table, excluded)
            if u == 0:
                continue
            total = 2 * n_seen
            target = decoder.target(total)
            if target >= total - u:
                decoder.consume(total - u, total, total)
                excluded.update(chars)
                continue
            low = 0
            for c, k in zip(chars, counts, strict=True):
                width = 2 * k - 1
                if target < low + width:
                    char = c
                    break
                low += width
            decoder.consume(low, low + width, total)
            break
        if char is None:
            total = _CODE_POINTS - len(model.seen)
            index = decoder.target(total)
            decoder.consume(index, index + 1, total)
            point = index
            for s in model.seen:  # the index-th code point not yet seen
                if s > point:
                    break
                point += 1
            char = chr(point)
        model.update(tables, char)
        out.append(char)
    return "".join(out)


_PROSE = Path(__file__).with_name("prose")


def book_prose(language):
    """The frozen snapshot of the book's prose in ``language`` ("en" or "ja").

    The markdown cells of the first edition's five chapters, joined; see
    ``ilib/prose/README.md`` for how the files were made.

    See chapter 01, section 1.4 (compress this book).

    Raises
    ------
    ValueError
        If ``language`` is not "en" or "ja".
    """
    if language not in ("en", "ja"):
        raise ValueError(f"language must be 'en' or 'ja', got {language!r}")
    return (_PROSE / f"{language}.txt").read_text(encoding="utf-8")
