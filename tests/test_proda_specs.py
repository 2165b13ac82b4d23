"""ProDA action specification sampler (Appendix C) and branch targets."""
import numpy as np
import pytest
import torch

from mmaction_ext.datasets.transforms import SampleActionSpecifications
from mmaction_ext.datasets.transforms.sample_action_specifications import \
    specification_targets

LABELS = [77, 79, 80, 76, 75]  # the paper's Appendix C example


def draw(labels=LABELS, **kwargs):
    kwargs.setdefault('seed', 0)
    transform = SampleActionSpecifications(**kwargs)
    return transform(dict(label=list(labels), video_id='v0'))


def test_recipe_matches_appendix_c():
    out = draw()
    specs, present = out['action_specs'], out['spec_num_present']
    distractor = out['spec_distractor']
    assert specs.shape == (2 * 5 + 1, 157) and specs.dtype == bool
    gt = np.zeros(157, bool)
    gt[LABELS] = True
    # L + 1 distractor-injected SAPs: the i-th has i present, 16 - i absent
    assert distractor.sum() == 6
    for i, row in enumerate(specs[distractor]):
        assert row.sum() == 16 and (row & gt).sum() == i
    # L clean SAPs: the i-th holds i present labels and nothing else
    for i, row in enumerate(specs[~distractor], start=1):
        assert row.sum() == i and (row & ~gt).sum() == 0
    np.testing.assert_array_equal(present, (specs & gt).sum(1))


def test_recipe_is_seeded_and_varies():
    first, again = draw()['action_specs'], draw()['action_specs']
    np.testing.assert_array_equal(first, again)
    other = draw(seed=1)['action_specs']
    assert not np.array_equal(first, other)
    transform = SampleActionSpecifications(seed=0)
    a = transform(dict(label=LABELS))['action_specs']
    b = transform(dict(label=LABELS))['action_specs']
    assert not np.array_equal(a, b)  # a new draw each call (epoch)


def test_seed_from_torch_initial_seed():
    torch.manual_seed(123)
    a = draw(seed=None)['action_specs']
    torch.manual_seed(123)
    b = draw(seed=None)['action_specs']
    np.testing.assert_array_equal(a, b)


def test_more_labels_than_k_and_cap():
    labels = list(range(0, 40, 2))  # L = 20 > K = 16
    out = draw(labels)
    assert out['spec_distractor'].sum() == 17  # i = 0 .. K
    assert (~out['spec_distractor']).sum() == 20
    assert (out['action_specs'][out['spec_distractor']].sum(1) == 16).all()
    capped = draw(labels, max_specs=4)
    assert capped['action_specs'].shape == (4, 157)


def test_evaluation_protocols_never_read_labels():
    for protocol in ('partition', 'all'):
        a = draw(protocol=protocol)['action_specs']
        b = draw([1, 2], protocol=protocol)['action_specs']
        np.testing.assert_array_equal(a, b)
    parts = draw(protocol='partition')['action_specs']
    assert parts.shape == (10, 157)  # ceil(157 / 16)
    np.testing.assert_array_equal(parts.sum(0), np.ones(157))
    assert (parts.sum(1)[:-1] == 16).all()
    assert draw(protocol='all')['action_specs'].all()


def test_multi_hot_label_and_bad_label():
    hot = np.zeros(157, np.float32)
    hot[LABELS] = 1
    out = SampleActionSpecifications(seed=0)(dict(label=hot))
    np.testing.assert_array_equal(out['action_specs'], draw()['action_specs'])
    with pytest.raises(ValueError, match='v9.*157'):
        SampleActionSpecifications()(dict(label=[3, 157], video_id='v9'))
    with pytest.raises(ValueError, match='protocol'):
        SampleActionSpecifications(protocol='gt')


def test_specification_targets_no_action():
    specs = torch.tensor([[1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 0, 0]]).bool()
    labels = torch.tensor([[1., 0, 0, 0]]).expand(3, 4)
    y_s, y_u = specification_targets(specs, labels)
    assert y_s.tolist() == [[1, 0, 0, 0, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 1]]
    assert y_u.tolist() == [[0, 0, 0, 0, 1], [1, 0, 0, 0, 0], [1, 0, 0, 0, 0]]
