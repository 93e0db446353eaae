"""Hostile HDF5 files for the safety suite (issue 14), written by real HDF5 (Debian python3-h5py).

Every file is a Keras save_weights layout of one Dense(2 -> 3) layer (layer_names = ['dense'],
dense/weight_names = ['dense/kernel:0', 'dense/bias:0']) and differs from honest.h5 only where its
name says. Run with /usr/bin/python3 from this folder; the files are committed, so the tests need
no Python. expected.json records what h5py itself reads where a file is legal.
"""
import json
import os

import h5py
import numpy as np

KERNEL = (np.arange(6, dtype='float32').reshape(2, 3) / 10)
BIAS = np.array([0.5, -0.5, 0.25], dtype='float32')


def weights_file(path, kernel=None, extra=None, names=(b'dense/kernel:0', b'dense/bias:0'), libver=None):
    with h5py.File(path, 'w', libver=libver) as f:
        f.attrs['layer_names'] = np.array([b'dense'])
        f.attrs['keras_version'] = b'2.4.0'
        f.attrs['backend'] = b'tensorflow'
        g = f.create_group('dense')
        g.attrs['weight_names'] = np.array(list(names))
        sub = g.create_group('dense')
        if kernel is None:
            sub.create_dataset('kernel:0', data=KERNEL)
        else:
            kernel(sub)
        sub.create_dataset('bias:0', data=BIAS)
        if extra:
            extra(f)


def nested_compound(depth):
    dt = np.dtype([('x', '<f4')])
    for _ in range(depth - 1):
        dt = np.dtype([('x', dt)])
    return dt


def main():
    expected = {}
    weights_file('honest.h5')
    # A dataset that is an external link: to a real weights file next to it, to /etc/passwd, to /dev/zero, to a FIFO.
    for name, target in [('external_sibling', 'honest.h5'), ('external_passwd', '/etc/passwd'),
                         ('external_dev_zero', '/dev/zero'), ('external_fifo', '/tmp/lenet5-hostile-fifo')]:
        weights_file(name + '.h5', kernel=lambda s, t=target: s.__setitem__('kernel:0', h5py.ExternalLink(t, '/dense/dense/kernel:0')))
    # A layer group that is an external link.
    def external_group(f):
        del f['dense']['dense']
        f['dense']['dense'] = h5py.ExternalLink('honest.h5', '/dense/dense')
    weights_file('external_group.h5', extra=external_group)
    # Soft-link loops: a link to itself, two links to each other, a group link to itself on the path.
    weights_file('soft_self.h5', kernel=lambda s: s.__setitem__('kernel:0', h5py.SoftLink('/dense/dense/kernel:0')))

    def pair(s):
        s['kernel:0'] = h5py.SoftLink('/dense/dense/other')
        s['other'] = h5py.SoftLink('/dense/dense/kernel:0')
    weights_file('soft_pair.h5', kernel=pair)
    weights_file('soft_group_loop.h5', extra=lambda f: f['dense'].__setitem__('x', h5py.SoftLink('/dense/x')),
                 names=(b'x/x/kernel:0', b'dense/bias:0'))
    # A soft link that stays inside the file is legal: the kernel reached through one.
    def soft_ok(s):
        s['real'] = KERNEL
        s['kernel:0'] = h5py.SoftLink('/dense/dense/real')
    weights_file('soft_link_ok.h5', kernel=soft_ok)
    # A hard-link cycle (dense/a is dense itself) walked by a weight name of 100,000 components.
    weights_file('hard_cycle.h5', extra=lambda f: f['dense'].__setitem__('a', f['dense']),
                 names=(b'a/' * 100000 + b'dense/kernel:0', b'dense/bias:0'), libver='latest')
    # An attribute whose compound datatype nests 3,000 deep (on the root, next to layer_names).
    def deep_compound(f):
        dt = nested_compound(3000)
        f.attrs.create('deep', np.zeros((), dtype=dt), dtype=dt)
    weights_file('compound_3000.h5', extra=deep_compound, libver='latest')
    # Chunked datasets never written: HDF5 reads them as the fill value (0 unless set).
    weights_file('unwritten.h5', kernel=lambda s: s.create_dataset('kernel:0', shape=(2, 3), dtype='float32', chunks=(1, 3)))
    weights_file('unwritten_fill.h5', kernel=lambda s: s.create_dataset('kernel:0', shape=(2, 3), dtype='float32', chunks=(1, 3),
                                                                        fillvalue=1.5))
    # Filter pipelines: shuffle + fletcher32 + lzf (jhdf cannot decode it), and the same with gzip (it can).
    weights_file('filters_lzf.h5', kernel=lambda s: s.create_dataset('kernel:0', data=KERNEL, chunks=(1, 3), shuffle=True,
                                                                     fletcher32=True, compression='lzf'))
    weights_file('filters_gzip.h5', kernel=lambda s: s.create_dataset('kernel:0', data=KERNEL, chunks=(1, 3), shuffle=True,
                                                                      fletcher32=True, compression='gzip'))
    for name in ['honest', 'soft_link_ok', 'unwritten', 'unwritten_fill', 'filters_gzip']:
        with h5py.File(name + '.h5', 'r') as f:
            expected[name] = {'kernel': f['dense/dense/kernel:0'][()].flatten().tolist(), 'bias': f['dense/dense/bias:0'][()].tolist()}
    with open('expected.json', 'w') as out:
        json.dump({'h5py': h5py.version.version, 'hdf5': h5py.version.hdf5_version, 'files': expected}, out, indent=1)


if __name__ == '__main__':
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    main()
