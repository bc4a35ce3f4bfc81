#!/usr/bin/env python3
"""Writes small netx (.net) fixtures for NetxReaderTest: broken files for error messages and
a conv network with an independently computed activation check.

Run from this directory with Debian's python3-h5py: /usr/bin/python3 make_fixtures.py
The outputs are committed; the tests never run Python.
"""
import h5py
import numpy as np


def s(g, name, text):
    g.create_dataset(name, data=np.array([text.encode()], dtype='S10'))


def neuron(g, kind='LOIHI', i_decay=100, v_decay=200, vth=80, ref=1, skip=()):
    n = g.create_group('neuron')
    n.create_dataset('type', data=kind.encode(), dtype=h5py.string_dtype())
    for k, v in (('iDecay', i_decay), ('vDecay', v_decay), ('vThMant', vth), ('refDelay', ref)):
        if k not in skip:
            n.create_dataset(k, data=np.int64(v))


def input_layer(layers, shape=(4, 1, 1)):
    g = layers.create_group('0')
    s(g, 'type', 'input')
    g.create_dataset('shape', data=np.array(shape, dtype=np.int64))
    neuron(g)
    return g


def dense(layers, idx, out, inp, weight=None, kind='dense'):
    g = layers.create_group(str(idx))
    s(g, 'type', kind)
    g.create_dataset('shape', data=np.array([out, 1, 1], dtype=np.int64))
    if weight is None:
        weight = np.arange(out * inp, dtype=np.float32).reshape(out, inp) - out * inp / 2
    g.create_dataset('weight', data=np.asarray(weight, dtype=np.float32))
    return g


def base(name, with_dense=True):
    f = h5py.File(name, 'w')
    sim = f.create_group('simulation')
    sim.create_dataset('Ts', data=np.int64(1))
    sim.create_dataset('tSample', data=np.int64(20))
    layers = f.create_group('layer')
    input_layer(layers)
    if with_dense:
        neuron(dense(layers, 1, 3, 4))
    return f, layers


# A valid two-layer network the broken ones derive from.
f, layers = base('valid.net')
f.close()

f = h5py.File('missing_layer_group.net', 'w')
f.create_group('simulation')
f.close()

f, layers = base('missing_weight.net', with_dense=False)
g = layers.create_group('1')
s(g, 'type', 'dense')
g.create_dataset('shape', data=np.array([3, 1, 1], dtype=np.int64))
neuron(g)
f.close()

f, layers = base('wrong_weight_shape.net', with_dense=False)
neuron(dense(layers, 1, 3, 5))  # previous layer has 4 neurons
f.close()

f, layers = base('unknown_layer.net')
g = layers.create_group('2')
s(g, 'type', 'lstm')
f.close()

f, layers = base('pool_layer.net')
g = layers.create_group('2')
s(g, 'type', 'pool')
f.close()

f, layers = base('unknown_neuron.net', with_dense=False)
neuron(dense(layers, 1, 3, 4), kind='SDNN')
f.close()

f, layers = base('missing_vth.net', with_dense=False)
neuron(dense(layers, 1, 3, 4), skip=('vThMant',))
f.close()

f, layers = base('layer_gap.net', with_dense=False)
neuron(dense(layers, 2, 3, 4))
f.close()

f, layers = base('nan_weight.net', with_dense=False)
w = np.ones((3, 4), dtype=np.float32)
w[1, 2] = np.nan
neuron(dense(layers, 1, 3, 4, weight=w))
f.close()

f, layers = base('delays_clamped.net', with_dense=False)
g = dense(layers, 1, 3, 4, weight=np.full((3, 4), 2.0))
neuron(g)
d = np.zeros((3, 4), dtype=np.float32)
d[0, 0] = 70.0
d[2, 3] = 62.9
g.create_dataset('delay', data=d)
f.close()

f, layers = base('default_neuron.net', with_dense=False)
dense(layers, 1, 3, 4)  # no neuron group: netx's default CUBA neuron
f.close()

# Conv: input (2, 5, 6) -> conv 4 channels, kernel 3x2, groups 2, stride (2, 1), padding (1, 0),
# dilation (1, 2) -> (4, 3, 4) -> flatten -> dense 3.
rng = np.random.default_rng(7)
f = h5py.File('conv.net', 'w')
layers = f.create_group('layer')
input_layer(layers, shape=(2, 5, 6))
g = layers.create_group('1')
s(g, 'type', 'conv')
g.create_dataset('shape', data=np.array([4, 3, 4], dtype=np.int64))
kernel = rng.uniform(-20, 20, size=(4, 1, 3, 2, 1)).astype(np.float32)
g.create_dataset('weight', data=kernel)
g.create_dataset('inChannels', data=np.int64(2))
g.create_dataset('outChannels', data=np.int64(4))
g.create_dataset('kernelSize', data=np.array([3, 2], dtype=np.int64))
g.create_dataset('stride', data=np.array([2, 1], dtype=np.int64))
g.create_dataset('padding', data=np.array([1, 0], dtype=np.int64))
g.create_dataset('dilation', data=np.array([1, 2], dtype=np.int64))
g.create_dataset('groups', data=np.int64(2))
g.create_dataset('bias', data=np.array([1.7, -2.2, 3.0, 0.0], dtype=np.float32))
neuron(g)
g = layers.create_group('2')
s(g, 'type', 'flatten')
neuron(dense(layers, 3, 3, 48, weight=rng.uniform(-100, 100, size=(3, 48))), vth=50)

# Independent check: the net effect of netx + Lava's Conv is a cross-correlation over (C, H, W)
# with the kernel exactly as stored (no spatial flip; lava-dl's tiny.net ground truth confirms it).
x = (rng.uniform(size=(2, 5, 6)) < 0.5).astype(np.int64)
k = np.trunc(kernel[..., 0]).astype(np.int64)
xp = np.zeros((2, 5 + 2, 6), dtype=np.int64)
xp[:, 1:6, :] = x
act = np.zeros((4, 3, 4), dtype=np.int64)
for o in range(4):
    grp = o // 2
    for oy in range(3):
        for ox in range(4):
            acc = 0
            for ky in range(3):
                for kx in range(2):
                    acc += k[o, 0, ky, kx] * xp[grp, oy * 2 + ky, ox + kx * 2]
            act[o, oy, ox] = acc
chk = f.create_group('check')
chk.create_dataset('input', data=x)
chk.create_dataset('activation', data=act)
f.close()

# Graded spikes: the input layer's neurons send 3-bit payloads.
f, layers = base('graded.net', with_dense=False)
layers['0/neuron'].create_dataset('messageBits', data=np.int64(3))
neuron(dense(layers, 1, 3, 4))
f.close()

# refDelay > 1: a refractory period (Quench extension).
f, layers = base('refractory.net', with_dense=False)
neuron(dense(layers, 1, 3, 4), ref=4)
f.close()

# No input layer: the host feeds the first dense layer's synapses.
f = h5py.File('no_input.net', 'w')
layers = f.create_group('layer')
neuron(dense(layers, 0, 3, 5))
neuron(dense(layers, 1, 2, 3))
f.close()

# dense_rec with delays: lava-dl drops weight_exp there; Quench applies it and says so.
f, layers = base('rec_delay.net', with_dense=False)
g = dense(layers, 1, 3, 4, weight=np.full((3, 4), 4.0), kind='dense_rec')
g.create_dataset('weight_rec', data=np.full((3, 3), 8.0, dtype=np.float32))
g.create_dataset('delay', data=np.ones((3, 4), dtype=np.float32))
neuron(g)
f.close()
