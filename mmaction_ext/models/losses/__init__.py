from .aris_loss import ARISLoss
from .boundary_bce_loss import BoundaryBCELoss
from .gs_tmse_loss import GSTMSELoss
from .kl_contrastive_loss import KLContrastiveLoss, kl_to_targets
from .knowledge_consistency_loss import KnowledgeConsistencyLoss
from .margin_reconstruction_loss import MarginReconstructionLoss
from .pearson_disentanglement_loss import PearsonDisentanglementLoss
from .sigmoid_focal_loss import SigmoidFocalLoss, sigmoid_focal_loss

__all__ = [
    'ARISLoss', 'BoundaryBCELoss', 'GSTMSELoss', 'KLContrastiveLoss',
    'kl_to_targets', 'KnowledgeConsistencyLoss', 'MarginReconstructionLoss',
    'PearsonDisentanglementLoss', 'SigmoidFocalLoss', 'sigmoid_focal_loss'
]
