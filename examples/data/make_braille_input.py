"""Writes braille-input.npy: a sample input for the shipped braille NIR model (12 channels).

200 steps x 12 channels of binary spikes, each channel an independent Bernoulli process with
probability 0.2 per step (seed 7), uint8, shape (steps, channels) as `quench run --input` and
`quench verify --input` read it. Run with any python3 that has numpy.
"""
import numpy as np

rng = np.random.default_rng(7)
spikes = (rng.random((200, 12)) < 0.2).astype(np.uint8)
np.save("braille-input.npy", spikes)
print(spikes.shape, int(spikes.sum()), "spikes")
