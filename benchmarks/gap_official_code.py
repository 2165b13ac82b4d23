"""The official GAP training step, built from a checkout of the official code.

Used by ``gap_overhead.py --official-code DIR``. From the checkout of
MartinXM/GAP it imports, unchanged: ``model.ctrgcn.Model_lst_4part`` (CTR-GCN
with the global and 4 part projections), ``model.baseline.TextCLIP`` around
its own ``clip.model.CLIP`` (ViT-B/32 text tower), its tokenizer and prompt
tables (``Text_Prompt``: 5 prompts per sample at CLIP's 77 tokens, the
synonym drawn with numpy), ``KLLoss`` and ``tools.gen_label`` /
``create_logits``. :class:`OfficialTrainer` runs the body of the official
training step (``main_multipart_ntu.py``) with these pieces: model forward,
5 text-encoder calls, 5 symmetric KL losses, cross entropy + 0.8 x their
mean, backward, SGD (nesterov, both parameter groups at one lr).

What differs from a run of the official script, and why:

* Random weights: ``clip.load`` would download CLIP; the text tower is built
  with ViT-B/32's text sizes and random weights (speed does not depend on
  values). Its vision tower, which the official code deletes right after
  loading, is built tiny before being deleted, so it does not inflate the
  peak memory.
* ``torchvision`` is stubbed when missing: the official ``clip`` imports its
  image transforms, which no training step uses.
* On CPU, the official ``torch.cuda.amp.autocast`` and ``GradScaler`` are
  inactive (PyTorch disables them without CUDA), so the step runs in fp32;
  on CUDA it runs them as the official code does.
"""
import contextlib
import importlib
import importlib.util
import os
import sys
import types

import numpy as np
import torch
import torch.nn as nn


def _stub_torchvision() -> None:
    if importlib.util.find_spec('torchvision') is not None:
        return
    transforms = types.ModuleType('torchvision.transforms')
    for name in ('Compose', 'Resize', 'CenterCrop', 'ToTensor', 'Normalize'):
        setattr(transforms, name, lambda *args, **kwargs: None)
    package = types.ModuleType('torchvision')
    package.transforms = transforms
    sys.modules['torchvision'] = package
    sys.modules['torchvision.transforms'] = transforms


@contextlib.contextmanager
def _in_dir(path):
    previous = os.getcwd()
    os.chdir(path)  # Text_Prompt reads text/*.txt relative to the cwd
    try:
        yield
    finally:
        os.chdir(previous)


def load_official(checkout: str) -> types.SimpleNamespace:
    """Import the official modules from ``checkout`` (put first on path)."""
    checkout = os.path.abspath(checkout)
    if not os.path.isfile(os.path.join(checkout, 'Text_Prompt.py')):
        raise FileNotFoundError(
            f'{checkout} is not a checkout of the official GAP code '
            '(MartinXM/GAP): Text_Prompt.py is missing')
    _stub_torchvision()
    sys.path.insert(0, checkout)
    for name in ('clip', 'tools', 'model', 'graph'):  # theirs, not others'
        sys.modules.pop(name, None)
    with _in_dir(checkout), contextlib.redirect_stdout(sys.stderr):
        prompts = importlib.import_module('Text_Prompt')
        return types.SimpleNamespace(
            Model=importlib.import_module('model.ctrgcn').Model_lst_4part,
            TextCLIP=importlib.import_module('model.baseline').TextCLIP,
            CLIP=importlib.import_module('clip.model').CLIP,
            KLLoss=importlib.import_module('KLLoss').KLLoss,
            tools=importlib.import_module('tools'),
            part_prompts=prompts.text_prompt_openai_pasta_pool_4part(),
            synonyms=prompts.text_prompt_openai_random())


class OfficialTrainer:
    """The official model, text tower, loss and training step.

    Args:
        checkout (str): Root of a checkout of MartinXM/GAP.
        device (str): ``'cpu'`` or ``'cuda'``.
        num_classes (int): Classes (NTU RGB+D 120). Defaults to 120.
        loss_alpha (float): Weight of the text loss. Defaults to 0.8.
    """

    def __init__(self, checkout, device, num_classes=120, loss_alpha=0.8):
        official = load_official(checkout)
        self.official, self.device = official, device
        torch.manual_seed(0)
        with contextlib.redirect_stdout(sys.stderr):
            self.model = official.Model(
                num_class=num_classes,
                num_point=25,
                num_person=2,
                graph='graph.ntu_rgb_d.Graph',
                graph_args=dict(labeling_mode='spatial'),
                k=8,
                head=['ViT-B/32']).to(device).train()
            clip_model = official.CLIP(
                embed_dim=512,
                image_resolution=32,
                vision_layers=1,
                vision_width=64,
                vision_patch_size=32,
                context_length=77,
                vocab_size=49408,
                transformer_width=512,
                transformer_heads=8,
                transformer_layers=12)
            del clip_model.visual  # as the official code does
            self.text = official.TextCLIP(clip_model).to(device).train()
            self.kl_loss = official.KLLoss()
        self.ce_loss = nn.CrossEntropyLoss()
        self.optimizer = torch.optim.SGD([{
            'params': self.model.parameters()
        }, {
            'params': self.text.parameters()
        }],
                                         lr=0.01,
                                         momentum=0.9,
                                         nesterov=True,
                                         weight_decay=0.0005)
        cuda = device != 'cpu'
        self.autocast = torch.autocast('cuda', enabled=cuda) if cuda \
            else contextlib.nullcontext()
        self.scaler = torch.amp.GradScaler('cuda', enabled=cuda)
        self.loss_alpha = loss_alpha
        self.one_time_s = 0.

    def parameters(self):
        return list(self.model.parameters()) + list(self.text.parameters())

    def _texts(self, index, labels):
        _, _, part_tokens = self.official.part_prompts
        if index > 0:
            return part_tokens[index][labels]
        rows = [self.official.synonyms[c] for c in labels.tolist()]
        return torch.cat([row[np.random.randint(len(row))] for row in rows])

    def loss(self, data, labels):
        """The official step's loss for skeletons (N, C, T, V, M)."""
        tools = self.official.tools
        output, global_feats, logit_scale, part_feats = self.model(data)
        targets = torch.tensor(
            tools.gen_label(labels.tolist()),
            dtype=torch.float32,
            device=data.device)
        num_prompts = self.official.part_prompts[1]
        text_losses = []
        for index in range(num_prompts):
            tokens = self._texts(index, labels).to(data.device)
            embeddings = self.text(tokens).float()
            feats = global_feats['ViT-B/32'] if index == 0 \
                else part_feats[index - 1]
            per_skeleton, per_text = tools.create_logits(
                feats, embeddings, logit_scale[:, index].mean())
            text_losses.append((self.kl_loss(per_skeleton, targets) +
                                self.kl_loss(per_text, targets)) / 2)
        return self.ce_loss(output, labels) + \
            self.loss_alpha * sum(text_losses) / len(text_losses)

    def step(self, inputs, samples):
        """One timed training step on our batch layout (N, 1, M, T, V, C)."""
        import time
        data = inputs[:, 0].permute(0, 4, 2, 3, 1).contiguous()
        labels = torch.cat([s.gt_label for s in samples]).to(data.device)
        start = time.perf_counter()
        self.optimizer.zero_grad()
        with self.autocast:
            loss = self.loss(data, labels)
        self.scaler.scale(loss).backward()
        self.scaler.step(self.optimizer)
        self.scaler.update()
        if self.device != 'cpu':
            torch.cuda.synchronize()
        return time.perf_counter() - start
