from .aris_loss import ARISLoss
from .boundary_bce_loss import BoundaryBCELoss
from .gs_tmse_loss import GSTMSELoss
from .kl_contrastive_loss import KLContrastiveLoss, kl_to_targets
from .margin_reconstruction_loss import MarginReconstructionLoss
from .pearson_disentanglement_loss import PearsonDisentanglementLoss

__all__ = [
    'KLContrastiveLoss', 'kl_to_targets', 'ARISLoss', 'BoundaryBCELoss',
    'GSTMSELoss', 'MarginReconstructionLoss', 'PearsonDisentanglementLoss'
]
