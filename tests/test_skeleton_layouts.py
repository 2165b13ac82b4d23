"""Skeleton layouts: official joint lists, trees, partitions, old graphs."""
import hashlib
from collections import deque

import numpy as np
import pytest
import torch

import mmaction_ext  # noqa: F401
from mmaction.models.utils import Graph
from mmaction_ext.datasets.label_maps import load_label_map
from mmaction_ext.models.backbones import CTRGCN, TRGNet
from mmaction_ext.models.utils import SkeletonGraph, build_partition
from mmaction_ext.structures.skeleton_layouts import (PARTITIONS,
                                                      SKELETON_LAYOUTS,
                                                      get_layout,
                                                      k_hop_graph_edges)
from mmaction_ext.text import TextBank

# Layout -> its official joint list (a bundled label map, or the joint
# bank for TCG, whose joint names are not published).
JOINT_LISTS = {
    'nturgb+d': 'joints_ntu25',
    'nturgb+d_infogcn': 'joints_ntu25',
    'nturgb+d_lasa': 'joints_ntu25',
    'nwucla': 'joints_nwucla20',
    'coco': 'joints_coco17',
    'openpose_body25': 'joints_openpose_body25',
    'lara': 'joints_lara19',
}


def digest(value) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()[:16]


def test_every_layout_has_an_official_joint_list():
    assert set(SKELETON_LAYOUTS) == set(JOINT_LISTS) | {'tcg17'}


@pytest.mark.parametrize('name', sorted(JOINT_LISTS))
def test_joint_names_are_the_official_list(name):
    assert list(SKELETON_LAYOUTS[name].joints) == load_label_map(
        JOINT_LISTS[name])


def test_tcg_joint_names_are_the_joint_bank():
    bank = TextBank('joints_tcg17', min_synonyms=2)
    assert list(SKELETON_LAYOUTS['tcg17'].joints) == list(bank.labels)


def hop_distances(num_node, edges):
    neighbours = {v: set() for v in range(num_node)}
    for i, j in edges:
        neighbours[i].add(j)
        neighbours[j].add(i)
    dist = np.full(num_node, np.inf)
    dist[0] = 0
    queue = deque([0])
    while queue:
        v = queue.popleft()
        for u in neighbours[v]:
            if dist[u] == np.inf:
                dist[u] = dist[v] + 1
                queue.append(u)
    return dist


@pytest.mark.parametrize('name', sorted(SKELETON_LAYOUTS))
def test_layouts_are_rooted_trees_over_every_joint(name):
    layout = SKELETON_LAYOUTS[name]
    children = [child for child, _ in layout.inward]
    assert len(layout.inward) == layout.num_node - 1
    assert sorted(children) == sorted(set(children))  # one parent each
    assert all(0 <= j < layout.num_node for e in layout.inward for j in e)
    assert np.isfinite(hop_distances(layout.num_node, layout.inward)).all()
    assert 0 <= layout.center < layout.num_node
    assert layout.parents.count(-1) == 1


@pytest.mark.parametrize('name', ['nturgb+d', 'coco'])
def test_mmaction2_layouts_are_mmaction2s_own(name):
    graph = Graph(name)
    layout = SKELETON_LAYOUTS[name]
    assert [tuple(e) for e in graph.inward] == list(layout.inward)
    assert (graph.num_node, graph.center) == (layout.num_node, layout.center)


# Digests of the edge lists as the backbones, the GAP transform and the
# NW-UCLA config spelled them before the layouts moved here; the graph
# functions are unchanged, so equal edges mean bit-identical adjacencies.
OLD_EDGES = {
    'nturgb+d_lasa': '2b9a2fdc60e6737a',
    'lara': '0d99e9babeb61f4d',
    'openpose_body25': '88dc3cd1c1228fff',
    'tcg17': 'b29d67d9c2758b8a',
    'nwucla': '1ea4c3cf45412445',
}
OLD_K_HOP_EDGES = {
    'nturgb+d': '56ba82c85bad863f',
    'nwucla': '20baf7afa32a8557'
}


@pytest.mark.parametrize('name', sorted(OLD_EDGES))
def test_edges_are_the_former_ones_in_order(name):
    assert digest(SKELETON_LAYOUTS[name].inward) == OLD_EDGES[name]


@pytest.mark.parametrize('name', sorted(OLD_K_HOP_EDGES))
def test_gap_k_hop_graphs_are_the_former_ones(name):
    assert digest(k_hop_graph_edges(name)[1]) == OLD_K_HOP_EDGES[name]


def test_gap_k_hop_ntu_graph_gives_bones():
    num_joints, edges = k_hop_graph_edges('nturgb+d')
    adjacency = np.zeros((num_joints, num_joints))
    adjacency[tuple(np.array(edges).T)] = 1
    parents = SKELETON_LAYOUTS['nturgb+d_infogcn'].parents
    assert parents[1] == -1  # rooted at SpineMid
    for joint, parent in enumerate(parents):
        assert adjacency[joint].sum() == (parent >= 0)
        if parent >= 0:
            assert adjacency[joint, parent] == 1


def test_partitions_are_the_former_ones():
    stripped = {
        name: {
            k: v
            for k, v in preset.items() if k != 'layout'
        }
        for name, preset in sorted(PARTITIONS.items())
    }
    assert digest(stripped) == '2bcb65d4b6e6007f'


@pytest.mark.parametrize('name', sorted(PARTITIONS))
def test_partitions_cover_valid_joints_of_their_layout(name):
    preset = PARTITIONS[name]
    layout = SKELETON_LAYOUTS[preset['layout']]
    assert preset['num_joints'] == layout.num_node
    parts = build_partition(name, layout.num_node)
    for part in parts:
        assert len(set(part['joints'])) == len(part['joints']), part
    if len(parts) == 2:  # upper / lower: every joint exactly once
        joints = sorted(j for part in parts for j in part['joints'])
        assert joints == list(range(layout.num_node))


@pytest.mark.parametrize('mode', ['spatial', 'stgcn_spatial', 'binary_adj'])
def test_skeleton_graph_names_equal_mmaction2_dicts(mode):
    for name in ('nwucla', 'lara', 'openpose_body25'):
        ours = SkeletonGraph(name, mode)
        theirs = Graph(get_layout(name).graph_layout(), mode)
        assert np.array_equal(ours.A, theirs.A) and ours.layout == name
    for name in ('nturgb+d', 'coco', 'openpose'):
        assert np.array_equal(SkeletonGraph(name, mode).A, Graph(name, mode).A)


def test_unknown_layout_names_the_choices():
    with pytest.raises(KeyError, match="'nwucla'"):
        SkeletonGraph('ucla')
    with pytest.raises(KeyError, match=r"lacks \['center'\]"):
        get_layout(dict(num_node=2, inward=[(1, 0)]))


def test_ctrgcn_builds_a_named_extra_layout():
    model = CTRGCN(
        graph_cfg=dict(layout='nwucla', mode='spatial'),
        base_channels=4,
        num_stages=2,
        num_person=1)
    assert model(torch.randn(1, 1, 8, 20, 3)).shape == (1, 1, 4, 8, 20)


def test_trgnet_layout_shorthand_equals_graph_cfg():
    small = dict(channels=8, num_layers=2, slice_channels=4, num_scales=3)
    torch.manual_seed(0)
    short = TRGNet(3, layout='nturgb+d', **small)
    torch.manual_seed(0)
    full = TRGNet(3, graph_cfg=dict(layout='nturgb+d_lasa'), **small)
    default = TRGNet(3, **small)
    for a, b in zip(short.state_dict().values(), full.state_dict().values()):
        assert torch.equal(a, b)
    assert torch.equal(default.stem.state_dict()['adjacency'],
                       full.stem.state_dict()['adjacency'])
    assert TRGNet(3, layout='tcg17', **small).num_joints == 17
    with pytest.raises(ValueError, match='not both'):
        TRGNet(3, graph_cfg=dict(layout='lara'), layout='lara', **small)
