from .kl_contrastive_loss import KLContrastiveLoss, kl_to_targets

__all__ = ['KLContrastiveLoss', 'kl_to_targets']
