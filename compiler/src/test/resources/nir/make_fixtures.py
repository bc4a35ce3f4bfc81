#!/usr/bin/python3
"""Writes the small NIR (HDF5) fixtures the NIR reader tests use.

Run from anywhere with Debian's h5py (apt-get install -y python3-h5py):
    /usr/bin/python3 compiler/src/test/resources/nir/make_fixtures.py
The outputs are committed beside this script so the Java tests never need Python.

Two styles of well-formed file, the same 19-node-type "zoo" network in each:
  zoo_old.nir  as NIR 0.x wrote it: contiguous datasets, fixed-length strings, float32 parameters,
               no v_reset / w_in (the reader must apply the defaults 0 and 1), scalar parameters
               stored 0-d, an edge into the nested graph through its Input ("sub.input").
  zoo_new.nir  as NIR 1.x writes it: gzip-compressed chunked arrays, variable-length strings,
               float64 and int64 parameters, every optional field, metadata/ groups and the
               input_type/output_type groups that nir's to_dict adds, link creation order tracked
               (so a reader must list nodes in creation order, not name order),
               edges to and from the nested graph node itself ("sub").
plus empty_edges.nir (a one-node graph whose edge list is float64 of shape (0,)) and one broken
file per error the reader reports, under broken/.
"""

import pathlib

import h5py
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
BROKEN = HERE / "broken"


class Style:
    def __init__(self, new):
        self.new = new

    def string(self, group, name, text):
        if self.new:
            group.create_dataset(name, data=text, dtype=h5py.string_dtype())
        else:
            group.create_dataset(name, data=np.bytes_(text))

    def array(self, group, name, value):
        value = np.asarray(value)
        if self.new and value.ndim > 0 and value.size > 0:
            group.create_dataset(name, data=value, compression="gzip")
        else:
            group.create_dataset(name, data=value)

    def edges(self, group, edges):
        if len(edges) == 0:
            # nir writes an empty Python list, which h5py stores as float64 of shape (0,)
            group.create_dataset("edges", data=np.zeros((0,)))
        elif self.new:
            group.create_dataset(
                "edges", data=np.array(edges, dtype=object), dtype=h5py.string_dtype()
            )
        else:
            width = max(len(s) for e in edges for s in e)
            group.create_dataset("edges", data=np.array(edges, dtype="S%d" % width))

    def group(self, parent, name):
        if not self.new:
            return parent.create_group(name)
        # creation order tracked (and indexed), but no timestamps, so the output is reproducible
        gcpl = h5py.h5p.create(h5py.h5p.GROUP_CREATE)
        gcpl.set_link_creation_order(h5py.h5p.CRT_ORDER_TRACKED | h5py.h5p.CRT_ORDER_INDEXED)
        gcpl.set_obj_track_times(False)
        h5py.h5g.create(parent.id, name.encode(), gcpl=gcpl)
        return parent[name]


def write_graph(style, group, nodes, edges):
    """nodes: list of (name, type, {param: value}); a NIRGraph's params are (nodes, edges)."""
    style.string(group, "type", "NIRGraph")
    node_group = style.group(group, "nodes")
    for name, typ, params in nodes:
        g = style.group(node_group, name)
        if typ == "NIRGraph":
            write_graph(style, g, *params)
            continue
        style.string(g, "type", typ)
        for key, value in params.items():
            if isinstance(value, str):
                style.string(g, key, value)
            elif isinstance(value, dict):
                sub = g.create_group(key)
                for k, v in value.items():
                    style.array(sub, k, v)
            else:
                style.array(g, key, value)
        if style.new:
            meta = g.create_group("metadata")
            meta.create_dataset("exported_by", data="make_fixtures.py", dtype=h5py.string_dtype())
    style.edges(group, edges)
    if style.new:
        meta = group.create_group("metadata")
        meta.create_dataset("note", data="ignored by readers", dtype=h5py.string_dtype())


def write_file(path, style, nodes, edges, version="0.2.0", **file_kwargs):
    with h5py.File(path, "w", **file_kwargs) as f:
        style.string(f, "version", version)
        write_graph(style, style.group(f, "node"), nodes, edges)


def ramp(shape, start, step, dtype):
    n = int(np.prod(shape))
    return (start + step * np.arange(n)).reshape(shape).astype(dtype)


def zoo(new):
    """The 19 node types in one network; values are simple ramps so tests can predict them."""
    f = np.float64 if new else np.float32
    i = np.int64
    nodes = []
    edges = []

    def add(name, typ, params):
        nodes.append((name, typ, params))

    def io_types(shape_in, shape_out):
        # nir 1.x to_dict adds these groups to every node; readers ignore them
        if not new:
            return {}
        return {"input_type": {"input": np.array(shape_in, dtype=i)},
                "output_type": {"output": np.array(shape_out, dtype=i)}}

    add("input", "Input", {"shape": np.array([2, 8, 8], dtype=i), **io_types([2, 8, 8], [2, 8, 8])})
    add("conv2d", "Conv2d", {
        "weight": ramp((4, 2, 3, 3), -0.5, 0.01, f),
        "bias": ramp((4,), 0.1, 0.1, f),
        "stride": np.array(1, dtype=i) if new else np.array([1, 1], dtype=i),
        "padding": "same" if new else np.array([1, 1], dtype=i),
        "dilation": np.array([1, 1], dtype=i),
        "groups": np.array(1, dtype=i),
        "input_shape": np.array([8, 8], dtype=i),
        **io_types([2, 8, 8], [4, 8, 8]),
    })
    add("if", "IF", {
        "r": np.full((4, 8, 8), 1.0, dtype=f),
        "v_threshold": ramp((4, 8, 8), 1.0, 0.001, f),
        **({"v_reset": np.full((4, 8, 8), -0.25, dtype=f)} if new else {}),
    })
    add("sumpool", "SumPool2d", {
        "kernel_size": np.array([2, 2], dtype=i),
        "stride": np.array([2, 2], dtype=i),
        "padding": np.array([0, 0], dtype=i),
    })
    add("avgpool", "AvgPool2d", {
        "kernel_size": np.array(2, dtype=i) if new else np.array([2, 2], dtype=i),
        "stride": np.array(2, dtype=i) if new else np.array([2, 2], dtype=i),
        "padding": np.array(0, dtype=i) if new else np.array([0, 0], dtype=i),
    })
    add("flatten", "Flatten", {
        # nir 1.x stores input_type as a group {"input": ...}; 0.x as a plain dataset
        "input_type": {"input": np.array([4, 2, 2], dtype=i)} if new else np.array([4, 2, 2], dtype=i),
        "start_dim": np.array(0, dtype=i),
        "end_dim": np.array(-1, dtype=i),
    })
    add("affine", "Affine", {"weight": ramp((6, 16), -0.4, 0.01, f), "bias": ramp((6,), 0.0, 0.5, f)})
    add("lif", "LIF", {
        "tau": ramp((6,), 0.001, 0.001, f),
        "r": np.full((6,), 2.0, dtype=f),
        "v_leak": np.zeros((6,), dtype=f),
        "v_threshold": ramp((6,), 0.5, 0.25, f),
        **({"v_reset": ramp((6,), -0.1, -0.1, f)} if new else {}),
    })
    # a 0-d bias (old style) is broadcast to the Affine's out features by the reader
    add("lif.w_rec", "Affine", {"weight": ramp((6, 6), 0.0, 0.02, f),
                                "bias": np.full((6,), 0.25, dtype=f) if new else np.array(0.25, dtype=f)})
    add("linear", "Linear", {"weight": ramp((5, 6), 0.3, -0.02, f)})
    # all parameters scalar: the neuron count (5) comes from the Linear before it
    add("cubalif", "CubaLIF", {
        "tau_syn": np.array(0.002, dtype=f),
        "tau_mem": np.array(0.004, dtype=f),
        "r": np.array(1.5, dtype=f),
        "v_leak": np.array(0.0, dtype=f),
        "v_threshold": np.array(1.0, dtype=f),
        **({"v_reset": np.array(0.125, dtype=f), "w_in": np.array(3.0, dtype=f)} if new else {}),
    })
    # int64 parameters are legal: the reader converts them to doubles
    add("scale", "Scale", {"scale": np.array([1, 2, 3, 4, 5], dtype=i)})
    add("li", "LI", {
        "tau": ramp((5,), 0.01, 0.01, f),
        "r": np.ones((5,), dtype=f),
        "v_leak": ramp((5,), -1.0, 0.5, f),
    })
    add("threshold", "Threshold", {"threshold": np.array([1, 1, 2, 2, 3], dtype=i) if new else ramp((5,), 0.5, 0.0, f)})
    add("delay", "Delay", {"delay": ramp((5,), 0.001, 0.001, f)})
    add("i", "I", {"r": ramp((5,), 1.0, 1.0, f)})
    add("cubali", "CubaLI", {
        "tau_syn": ramp((5,), 0.001, 0.0005, f),
        "tau_mem": ramp((5,), 0.01, 0.001, f),
        "r": np.ones((5,), dtype=f),
        "v_leak": np.zeros((5,), dtype=f),
        **({"w_in": ramp((5,), 0.5, 0.5, f)} if new else {}),
    })
    sub_nodes = [
        ("input", "Input", {"shape": np.array([5], dtype=i)}),
        ("w", "Linear", {"weight": np.eye(5, dtype=f)}),
        ("neurons", "CubaLIF", {
            "tau_syn": np.full((5,), 0.003, dtype=f),
            "tau_mem": np.full((5,), 0.006, dtype=f),
            "r": np.ones((5,), dtype=f),
            "v_leak": np.zeros((5,), dtype=f),
            "v_threshold": np.full((5,), 0.75, dtype=f),
            **({"v_reset": np.zeros((5,), dtype=f), "w_in": np.ones((5,), dtype=f)} if new else {}),
        }),
        ("output", "Output", {"shape": np.array([5], dtype=i)}),
    ]
    sub_edges = [("input", "w"), ("w", "neurons"), ("neurons", "output"), ("neurons", "w")]
    add("sub", "NIRGraph", (sub_nodes, sub_edges))
    add("output", "Output", {"shape": np.array([5], dtype=i)})
    # a Conv1d branch with its own input and output
    add("input1d", "Input", {"shape": np.array([3, 10], dtype=i)})
    add("conv1d", "Conv1d", {
        "weight": ramp((2, 3, 3), 0.0, 0.05, f),
        "bias": ramp((2,), -1.0, 2.0, f),
        "stride": np.array(1, dtype=i),
        "padding": "valid" if new else np.array(1, dtype=i),
        "dilation": np.array(1, dtype=i),
        "groups": np.array(1, dtype=i),
        "input_shape": np.array(10, dtype=i),
    })
    add("output1d", "Output", {"shape": np.array([2, 8] if new else [2, 10], dtype=i)})

    chain = ["input", "conv2d", "if", "sumpool", "avgpool", "flatten", "affine", "lif", "linear",
             "cubalif", "scale", "li", "threshold", "delay", "i", "cubali"]
    edges += [(a, b) for a, b in zip(chain, chain[1:])]
    edges += [("lif", "lif.w_rec"), ("lif.w_rec", "lif")]  # recurrent
    if new:
        edges += [("cubali", "sub"), ("sub", "output")]
    else:
        edges += [("cubali", "sub.input"), ("sub.output", "output")]
    edges += [("input1d", "conv1d"), ("conv1d", "output1d")]
    return nodes, edges


def lif(n=4, **over):
    params = {
        "tau": np.full((n,), 0.01),
        "r": np.ones((n,)),
        "v_leak": np.zeros((n,)),
        "v_threshold": np.ones((n,)),
    }
    params.update(over)
    return {k: v for k, v in params.items() if v is not None}


def chain(*named):
    """A chain input -> named... -> output of 4 neurons."""
    nodes = [("input", "Input", {"shape": np.array([4])})] + list(named) + [
        ("output", "Output", {"shape": np.array([4])})]
    names = [n[0] for n in nodes]
    return nodes, list(zip(names, names[1:]))


def broken():
    BROKEN.mkdir(exist_ok=True)
    old = Style(new=False)
    (BROKEN / "not_hdf5.nir").write_text("this is a text file, not HDF5\n")
    with h5py.File(BROKEN / "no_node.nir", "w") as f:
        old.string(f, "version", "0.2.0")
    cases = {
        "unknown_type": chain(("mystery", "Sigmoid", {"slope": np.ones((4,))})),
        "missing_param": chain(("lif", "LIF", lif(v_threshold=None))),
        "affine_weight_1d": chain(("fc", "Affine", {"weight": np.ones((4,)), "bias": np.zeros((4,))})),
        "affine_bias_length": chain(("fc", "Affine", {"weight": np.ones((4, 4)), "bias": np.zeros((3,))})),
        "neuron_shape_mismatch": chain(("lif", "LIF", lif(r=np.ones((3,))))),
        "nan_param": chain(("lif", "LIF", lif(v_threshold=np.array([1.0, 1.0, np.nan, 1.0])))),
        "inf_weight": chain(("fc", "Linear", {"weight": np.where(np.eye(4) > 0, np.inf, 0.0)})),
        "negative_tau": chain(("cuba", "CubaLIF", {
            "tau_syn": np.full((4,), 0.001), "tau_mem": np.array([0.01, -0.01, 0.01, 0.01]),
            "r": np.ones((4,)), "v_leak": np.zeros((4,)), "v_threshold": np.ones((4,))})),
        "zero_tau": chain(("li", "LI", {"tau": np.array(0.0), "r": np.ones((4,)), "v_leak": np.zeros((4,))})),
        "bad_padding": chain(("conv", "Conv1d", {
            "weight": np.ones((1, 1, 3)), "bias": np.zeros((1,)), "stride": np.array(1),
            "padding": "full", "dilation": np.array(1), "groups": np.array(1)})),
    }
    for name, (nodes, edges) in cases.items():
        write_file(BROKEN / (name + ".nir"), old, nodes, edges)
    nodes, edges = chain(("lif", "LIF", lif()))
    write_file(BROKEN / "edge_unknown_node.nir", old, nodes, edges + [("lif", "ghost")])
    # an error deep in a nested graph must name the whole path to the node
    inner_nodes, inner_edges = chain(("lif", "LIF", lif(tau=None)))
    write_file(BROKEN / "nested_missing_param.nir", old,
               [("input", "Input", {"shape": np.array([4])}),
                ("block.0", "NIRGraph", (inner_nodes, inner_edges)),
                ("output", "Output", {"shape": np.array([4])})],
               [("input", "block.0.input"), ("block.0.output", "output")])
    # an edge into a nested graph naming an inner node that does not exist
    inner_nodes, inner_edges = chain(("lif", "LIF", lif()))
    write_file(BROKEN / "nested_edge_unknown.nir", old,
               [("input", "Input", {"shape": np.array([4])}),
                ("sub", "NIRGraph", (inner_nodes, inner_edges)),
                ("output", "Output", {"shape": np.array([4])})],
               [("input", "sub.inptu"), ("sub.output", "output")])


def main():
    write_file(HERE / "zoo_old.nir", Style(new=False), *zoo(new=False), version="0.2.0")
    write_file(HERE / "zoo_new.nir", Style(new=True), *zoo(new=True), version="1.0.7")
    single = [("neurons", "LIF", {"tau": np.array([0.02]), "r": np.array([1.0]),
                                  "v_leak": np.array([0.0]), "v_threshold": np.array([1.0])})]
    write_file(HERE / "empty_edges.nir", Style(new=False), single, [], version="1.0.0")
    broken()


if __name__ == "__main__":
    main()
