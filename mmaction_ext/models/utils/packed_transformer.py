"""``nn.TransformerEncoder`` over ragged sequences given by their tokens.

Padded sequences spend most of a transformer's work on padding: every
projection, norm and FFN runs per token. Here only the real tokens go
through those; the attention alone uses a dense (S, L) grid, with the
padding as ignored keys. The result at every real token equals
``encoder(padded, src_key_padding_mask=padding)`` (same parameters, same
operations; only the float rounding of differently sized matrix products
may differ); padded positions are never computed.
"""
import torch
import torch.nn.functional as F
from torch import Tensor, nn


def packed_self_attention(attn: nn.MultiheadAttention, tokens: Tensor,
                          slots: Tensor, valid: Tensor) -> Tensor:
    """Multi-head self-attention of ``attn`` within each sequence.

    Args:
        attn (nn.MultiheadAttention): Packed in-projection (equal q, k, v
            widths), no ``bias_k`` or ``add_zero_attn``.
        tokens (Tensor): Real tokens (T, E).
        slots (Tensor): Position of each token in the flattened (S, L)
            grid, long (T, ).
        valid (Tensor): bool (S, L), True at the slots; every sequence
            needs one True.

    Returns:
        Tensor: (T, E), before ``attn``'s output dropout of the layer.
    """
    num_seqs, length = valid.shape
    qkv = F.linear(tokens, attn.in_proj_weight, attn.in_proj_bias)
    grid = qkv.new_zeros(num_seqs * length, qkv.shape[1])
    grid = grid.index_copy(0, slots, qkv)
    q, k, v = grid.view(num_seqs, length, 3, attn.num_heads,
                        attn.head_dim).permute(2, 0, 3, 1, 4)
    out = F.scaled_dot_product_attention(
        q,
        k,
        v,
        attn_mask=valid[:, None, None],
        dropout_p=attn.dropout if attn.training else 0.)
    out = out.transpose(1, 2).reshape(len(grid), tokens.shape[1])[slots]
    return attn.out_proj(out)


def packed_encoder_layer(layer: nn.TransformerEncoderLayer, tokens: Tensor,
                         slots: Tensor, valid: Tensor) -> Tensor:
    """``layer`` on packed tokens (T, E); see
    :func:`packed_self_attention` for ``slots`` and ``valid``."""

    def attention(x):
        return layer.dropout1(
            packed_self_attention(layer.self_attn, x, slots, valid))

    def feed_forward(x):
        x = layer.dropout(layer.activation(layer.linear1(x)))
        return layer.dropout2(layer.linear2(x))

    if layer.norm_first:
        tokens = tokens + attention(layer.norm1(tokens))
        return tokens + feed_forward(layer.norm2(tokens))
    tokens = layer.norm1(tokens + attention(tokens))
    return layer.norm2(tokens + feed_forward(tokens))


def packed_encoder(encoder: nn.TransformerEncoder, tokens: Tensor,
                   slots: Tensor, num_seqs: int, length: int) -> Tensor:
    """Run ``encoder`` over sequences given by their real tokens only.

    Args:
        encoder (nn.TransformerEncoder): Layers of type
            ``nn.TransformerEncoderLayer`` (either ``batch_first``).
        tokens (Tensor): Real tokens (T, E) of all sequences.
        slots (Tensor): Position of each token in the flattened
            (num_seqs, length) grid, long (T, ), distinct.
        num_seqs (int): S, sequences; each must have a token.
        length (int): L, positions per sequence.

    Returns:
        Tensor: Encoded tokens (T, E), in the order of ``tokens``.
    """
    for layer in encoder.layers:
        if not isinstance(layer, nn.TransformerEncoderLayer):
            raise TypeError(f'packed_encoder needs nn.TransformerEncoderLayer'
                            f' layers, got {type(layer).__name__}')
    valid = torch.zeros(
        num_seqs * length, dtype=torch.bool, device=tokens.device)
    valid = valid.index_fill(0, slots, True).view(num_seqs, length)
    for layer in encoder.layers:
        tokens = packed_encoder_layer(layer, tokens, slots, valid)
    if encoder.norm is not None:
        tokens = encoder.norm(tokens)
    return tokens
