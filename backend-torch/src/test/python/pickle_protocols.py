"""Writes the same plain-data object with pickle protocols 0 to 5 (p0.pkl ... p5.pkl), for UnpicklerTest.

usage: pickle_protocols.py OUT_DIR
"""
import pickle
import sys
from collections import OrderedDict

shared = [7]
obj = {
    'int': [0, 1, 255, 256, 65535, 65536, -1, -2 ** 31, 2 ** 31, 2 ** 63, -2 ** 70],
    'float': [2.5, -0.0, 1e-300],
    'str': ['', 'ascii', '\u00fc\u00f1\u00ed \u20ac \U0001f600', 'x' * 300],
    'bytes': b'\x00\xff',
    'none': None,
    'bools': (True, False),
    'tuples': ((), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4)),
    'set': {1},
    'frozenset': frozenset({2}),
    'od': OrderedDict([('a', 1), ('b', [1, 2])]),
    'shared': [shared, shared],
    'nested': {'k': {'k2': [[]]}},
}
for p in range(6):
    data = dict(obj)
    if p == 5:
        data['bytearray'] = bytearray(b'ab')
    with open('%s/p%d.pkl' % (sys.argv[1], p), 'wb') as f:
        pickle.dump(data, f, protocol=p)
