"""ilib: the helper package of *Information Theory for Machine Learning*.

The notebooks in ``chapters/en`` and ``chapters/ja`` import this package; each
function's docstring names the chapter section that explains it.
"""

from ilib.coding import (
    arithmetic_decode,
    arithmetic_encode,
    compress_text,
    decompress_text,
)
from ilib.estimators import (
    miller_madow_mutual_information,
    mutual_information_from_samples,
    permutation_test_mutual_information,
)
from ilib.figures import show
from ilib.measures import (
    conditional_entropy,
    conditional_mutual_information,
    cross_entropy,
    entropy,
    gaussian_kl,
    huffman_code,
    joint_entropy,
    js_divergence,
    kl_divergence,
    mutual_information,
)
from ilib.notebook import setup
from ilib.progress import progress
from ilib.selfcheck import check

__all__ = [
    "arithmetic_decode",
    "arithmetic_encode",
    "check",
    "compress_text",
    "conditional_entropy",
    "conditional_mutual_information",
    "cross_entropy",
    "decompress_text",
    "entropy",
    "gaussian_kl",
    "huffman_code",
    "joint_entropy",
    "js_divergence",
    "kl_divergence",
    "miller_madow_mutual_information",
    "mutual_information",
    "mutual_information_from_samples",
    "permutation_test_mutual_information",
    "progress",
    "setup",
    "show",
]
