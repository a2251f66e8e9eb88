"""Tests of ilib.coding: the arithmetic coder's round trip and length on random
and worst-case messages, the context model against a slow exact reference, the
frozen prose snapshot, and bad input."""

import hashlib
import math
import re
from fractions import Fraction

import numpy as np
import pytest

import ilib
import ilib.coding
from ilib.coding import (
    MAX_TOTAL,
    ArithmeticDecoder,
    ArithmeticEncoder,
    arithmetic_decode,
    arithmetic_encode,
    book_prose,
    compress_text,
    decompress_text,
)

#: Integer rounding costs each coding step at most this many bits (ilib/coding.py, MAX_TOTAL).
ROUNDING_PER_STEP = 2.0**-29


def ideal_bits(symbols, freqs):
    """-sum(log2 q(x_i)) with q = freqs / sum(freqs), computed independently with NumPy."""
    freqs = np.asarray(freqs, dtype=np.float64)
    q = freqs / freqs.sum()
    return float(-np.log2(q[np.asarray(symbols, dtype=np.int64)]).sum())


def check_round_trip(symbols, freqs):
    data, nbits = arithmetic_encode(symbols, freqs)
    assert len(data) == math.ceil(nbits / 8)
    decoded = arithmetic_decode(data, len(symbols), freqs)
    np.testing.assert_array_equal(decoded, np.asarray(symbols, dtype=np.int64))
    ideal = ideal_bits(symbols, freqs)
    assert nbits <= ideal + 2 + len(symbols) * ROUNDING_PER_STEP
    return nbits, ideal


def test_random_round_trips_within_two_bits():
    rng = np.random.default_rng(0)
    worst = -math.inf
    for _ in range(1000):
        k = int(rng.integers(1, 300))
        freqs = rng.integers(0, 1000, size=k)
        freqs[rng.integers(k)] += 1  # at least one positive frequency
        n = int(rng.integers(0, 200))
        q = freqs / freqs.sum()
        symbols = rng.choice(k, size=n, p=q)
        nbits, ideal = check_round_trip(symbols, freqs)
        worst = max(worst, nbits - ideal)
    assert worst <= 2


def test_adversarial_messages():
    # one symbol; an alphabet of size 1 (every symbol certain: 0 bits of information)
    nbits, ideal = check_round_trip([0], [1])
    assert ideal == 0 and nbits <= 2
    nbits, _ = check_round_trip(np.zeros(10_000, dtype=int), [5])
    assert nbits <= 2
    # the empty message
    check_round_trip([], [1, 1])
    # alphabet of size 2, fair and skewed, long runs of either symbol
    check_round_trip([0, 1] * 500, [1, 1])
    check_round_trip([1] * 3000, [1, 1])
    check_round_trip([0] * 5000 + [1] * 5, [999_999, 1])
    # a symbol of probability 1 / MAX_TOTAL, many times in a row (31.99... bits each)
    check_round_trip([1] * 200, [MAX_TOTAL - 1, 1])
    check_round_trip([0, 1, 0, 1, 1, 0], [MAX_TOTAL - 1, 1])
    # 256 and 1000 symbols, uniform (exactly 8 bits per symbol) and skewed
    symbols = np.arange(256).repeat(4)
    nbits, ideal = check_round_trip(symbols, np.ones(256, dtype=int))
    assert ideal == 8 * symbols.size
    rng = np.random.default_rng(1)
    freqs = rng.integers(1, 50, size=1000)
    check_round_trip(rng.integers(0, 1000, size=3000), freqs)
    # zero-frequency symbols that are never sent
    check_round_trip([2, 2, 0], [3, 0, 1])


def test_skewed_source_beats_huffman():
    # P = (0.95, 0.05): Huffman spends 1 bit a symbol, the coder about H = 0.2864
    rng = np.random.default_rng(2)
    symbols = rng.choice(2, size=10_000, p=[0.95, 0.05])
    nbits, ideal = check_round_trip(symbols, [95, 5])
    assert nbits < 0.3 * symbols.size
    assert ilib.entropy([0.95, 0.05]) == pytest.approx(0.286397, abs=1e-6)


def test_encoder_and_decoder_steps():
    encoder = ArithmeticEncoder()
    steps = [(0, 1, 3), (1, 3, 3), (5, 6, 10), (0, 7, 7)]
    for step in steps:
        encoder.encode(*step)
    data, nbits = encoder.finish()
    assert encoder.finish() == (data, nbits)  # finishing twice changes nothing
    ideal = math.log2(3) + math.log2(1.5) + math.log2(10)
    assert nbits <= ideal + 2
    decoder = ArithmeticDecoder(data)
    for low, high, total in steps:
        assert low <= decoder.target(total) < high
        decoder.consume(low, high, total)
    with pytest.raises(ValueError, match="after finish"):
        encoder.encode(0, 1, 2)


# ---------------------------------------------------------------------------
# the context model
# ---------------------------------------------------------------------------


def reference_ppm_probabilities(text, order):
    """q(x_i | x_<i) of PPM with escape method D, exclusion and full update, exactly."""
    seen_counts = [{} for _ in range(order + 1)]
    probs = []
    for i, char in enumerate(text):
        q = Fraction(1)
        excluded = set()
        for j in range(min(order, i), -1, -1):
            counts = seen_counts[j].get(text[i - j:i], {})
            offered = {c: k for c, k in counts.items() if c not in excluded}
            if not offered:
                continue
            n, u = sum(offered.values()), len(offered)
            if char in offered:
                q *= Fraction(2 * offered[char] - 1, 2 * n)
                break
            q *= Fraction(u, 2 * n)
            excluded |= set(offered)
        else:
            distinct = len(seen_counts[0].get("", {}))
            q *= Fraction(1, 0x110000 - distinct)
        probs.append(q)
        for j in range(min(order, i) + 1):
            table = seen_counts[j].setdefault(text[i - j:i], {})
            table[char] = table.get(char, 0) + 1
    return probs


@pytest.mark.parametrize("order", [0, 1, 2, 4])
def test_context_model_matches_exact_reference(order):
    text = "abracadabra, abracadabra! 情報理論の情報は情報量です。🙂🙂 ab"
    compressed = compress_text(text, order=order)
    probs = reference_ppm_probabilities(text, order)
    expected = -sum(math.log2(q) for q in probs)
    assert compressed.model_bits == pytest.approx(expected, rel=1e-12)
    assert probs[0] == Fraction(1, 0x110000)  # the first character: a uniform code point
    assert decompress_text(compressed.data, order=order) == text


def test_context_model_random_texts():
    rng = np.random.default_rng(3)
    emoji = "".join(map(chr, range(0x1F600, 0x1F610)))
    alphabets = ["ab", "abcdefgh ", "あいうえおかきくけこ、。", emoji]
    for trial in range(60):
        alphabet = alphabets[trial % len(alphabets)]
        n = int(rng.integers(0, 400))
        text = "".join(rng.choice(list(alphabet), size=n))
        order = int(rng.integers(0, 5))
        compressed = compress_text(text, order=order)
        assert decompress_text(compressed.data, order=order) == text
        steps = n * (order + 2)  # at most order + 1 escapes and one symbol per character
        assert compressed.code_bits <= compressed.model_bits + 2 + steps * ROUNDING_PER_STEP
        assert len(compressed.data) == 4 + math.ceil(compressed.code_bits / 8)


def test_context_model_edge_texts():
    for text in ["", "a", "\x00", chr(0x10FFFF), "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]:
        for order in (0, 3):
            assert decompress_text(compress_text(text, order=order).data, order=order) == text
    # a long run costs little: after the first character, each repeat is cheap
    run = compress_text("a" * 5000, order=2)
    assert run.model_bits < 21 + 30


def test_book_prose_snapshot_is_frozen():
    expected = {
        "en": "6568c4bf255e9edc764115e8b2961e1b95887d0868d21272fe0c31148d37594c",
        "ja": "91b32c0e0f5c3d49d589b3490992fddc755bbf9fa19f590c0393d459432817a7",
    }
    for language, digest in expected.items():
        text = book_prose(language)
        assert hashlib.sha256(text.encode("utf-8")).hexdigest() == digest
    assert len(book_prose("en")) == 82212 and len(book_prose("ja")) == 52538


def test_docstrings_name_sections_that_exist_in_both_languages():
    from notebooks import LANGUAGES, load, source

    cited = set()
    for name in ilib.coding.__all__:
        doc = getattr(ilib.coding, name).__doc__ or ""
        cited |= set(re.findall(r"chapter 01, section (1\.\d)", doc))
    cited |= set(re.findall(r"section (1\.\d)", ilib.coding.__doc__))
    assert cited == {"1.3", "1.4"}
    for lang in LANGUAGES:
        text = "\n".join(source(c) for c in load(lang, "01_entropy.ipynb")["cells"])
        for section in cited:
            assert re.search(rf"^## {re.escape(section)} ", text, re.M), (lang, section)


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("freqs", "problem"),
    [
        ([], "freqs is empty"),
        ([0, 0], "freqs must have a positive entry"),
        ([1, -1], "freqs must be an array of non-negative integers"),
        ([0.5, 1], "freqs must be an array of non-negative integers"),
        ([math.nan, 1], "freqs must be an array of non-negative integers"),
        (["a", "b"], "freqs must be an array of non-negative integers"),
        ([[1, 2]], "freqs must be 1-D"),
        ([MAX_TOTAL, 1], "freqs must sum to at most"),
    ],
)
def test_bad_freqs(freqs, problem):
    with pytest.raises(ValueError, match=f"^{problem}"):
        arithmetic_encode([0], freqs)
    with pytest.raises(ValueError, match=f"^{problem}"):
        arithmetic_decode(b"", 1, freqs)


@pytest.mark.parametrize(
    ("symbols", "problem"),
    [
        ([0, 2], "symbols must be below len"),
        ([-1], "symbols must be an array of non-negative integers"),
        ([0.5], "symbols must be an array of non-negative integers"),
        ([[0]], "symbols must be 1-D"),
        ([1], "symbols contains 1, whose frequency is 0"),
    ],
)
def test_bad_symbols(symbols, problem):
    with pytest.raises(ValueError, match=f"^{problem}"):
        arithmetic_encode(symbols, [3, 0])


def test_bad_coder_arguments():
    with pytest.raises(ValueError, match="^need 0 <= low < high"):
        ArithmeticEncoder().encode(1, 1, 2)
    with pytest.raises(ValueError, match="^need 0 <= low < high"):
        ArithmeticEncoder().encode(0, 3, 2)
    with pytest.raises(ValueError, match="^need 0 <= low < high"):
        ArithmeticEncoder().encode(0, 1, MAX_TOTAL + 1)
    with pytest.raises(ValueError, match="^data must be bytes"):
        ArithmeticDecoder("0101")
    with pytest.raises(ValueError, match="^total must be in"):
        ArithmeticDecoder(b"").target(0)
    with pytest.raises(ValueError, match="^n must be an integer of at least 0"):
        arithmetic_decode(b"", -1, [1, 1])
    with pytest.raises(ValueError, match="^text must be a str"):
        compress_text(b"abc")
    with pytest.raises(ValueError, match="^order must be an integer of at least 0"):
        compress_text("abc", order=-1)
    with pytest.raises(ValueError, match="^order must be an integer of at least 0"):
        decompress_text(compress_text("abc").data, order=1.5)
    with pytest.raises(ValueError, match="^data must be the bytes"):
        decompress_text(b"ab")
    with pytest.raises(ValueError, match="^language must be"):
        book_prose("fr")
