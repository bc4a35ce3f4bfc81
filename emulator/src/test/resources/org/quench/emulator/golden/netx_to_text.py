#!/usr/bin/python3
"""Flattens runtime/src/test/resources/golden/netx-random-1001 into netx-random-1001.txt for the
emulator's end-to-end test (so tests need neither HDF5 nor Python). Floats become integers by
truncation toward zero, as netx does. One record per line: a key, then space-separated integers."""
import sys
import h5py
import numpy as np

src = sys.argv[1] if len(sys.argv) > 1 else '/work/shared/golden/netx-random-1001'
f = h5py.File(src + '/random.net', 'r')
out = []


def ints(a):
    return ' '.join(str(int(x)) for x in np.asarray(a).reshape(-1))


for i in range(len(f['layer'])):
    layer = f['layer'][str(i)]
    kind = layer['type'][0].decode('ascii')
    nrn = layer['neuron']
    n = int(np.prod(layer['shape'][()]))
    out.append(f'layer {i} {kind} {n} {int(nrn["iDecay"][()])} {int(nrn["vDecay"][()])} '
               f'{int(nrn["vThMant"][()])}')
    if 'bias' in layer:
        out.append('bias ' + ints(np.trunc(layer['bias'][()])))
    for key in ('weight', 'weight_rec', 'delay'):
        if key in layer:
            a = np.trunc(layer[key][()])
            out.append(f'{key} {a.shape[0]} {a.shape[1]} ' + ints(a))
out.append('input_bias ' + ints(np.load(src + '/input_bias.npy')))
expected = np.load(src + '/expected.npy')
out.append(f'expected {expected.shape[0]} {expected.shape[1]} ' + ints(expected))
with open('netx-random-1001.txt', 'w') as o:
    o.write('\n'.join(out) + '\n')
