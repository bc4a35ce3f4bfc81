#!/usr/bin/python3
"""Writes tiny.nir: the smallest model with a real time constant, for the dt safety tests.

    /usr/bin/python3 runtime/src/test/resources/nir/make_tiny.py   (Debian's python3-h5py)

Input(4) -> Affine(4 -> 3) -> LIF(3) -> Output(3). Every LIF neuron has tau = 10 ms (so a dt of
1, meant as 1 ms but read as 1 s, must be caught); thresholds differ per neuron and the third
neuron resets to v_reset = -0.1, which the chip realises as a voltage offset.
The output is committed beside this script so the Java tests need no Python.
"""

import pathlib

import h5py
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent


def string(group, name, text):
    group.create_dataset(name, data=np.bytes_(text))


def node(nodes, name, typ, **params):
    g = nodes.create_group(name)
    string(g, "type", typ)
    for key, value in params.items():
        g.create_dataset(key, data=np.asarray(value))


with h5py.File(HERE / "tiny.nir", "w") as f:
    string(f, "version", "0.2.0")
    graph = f.create_group("node")
    string(graph, "type", "NIRGraph")
    nodes = graph.create_group("nodes")
    node(nodes, "input", "Input", shape=np.array([4], dtype=np.int64))
    weight = np.array([[40.0, 0, 0, 20.0], [0, 40.0, 0, 20.0], [0, 0, 40.0, 20.0]])
    node(nodes, "fc", "Affine", weight=weight, bias=np.zeros(3))
    node(nodes, "lif", "LIF", tau=np.full(3, 0.01), r=np.ones(3), v_leak=np.zeros(3),
         v_threshold=np.array([1.0, 0.8, 1.2]), v_reset=np.array([0.0, 0.0, -0.1]))
    node(nodes, "output", "Output", shape=np.array([3], dtype=np.int64))
    edges = [["input", "fc"], ["fc", "lif"], ["lif", "output"]]
    graph.create_dataset("edges", data=np.array(edges, dtype="S6"))
