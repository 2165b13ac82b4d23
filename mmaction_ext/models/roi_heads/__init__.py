from .hhi_pair_encoder_layer import HHIPairEncoderLayer
from .hhi_pair_token_builder import HHIPairTokenBuilder
from .hhi_reconstruct_network import HHIReconstructNetwork
from .proda_hhi_head import ProDAHHIHead

__all__ = [
    'HHIPairEncoderLayer', 'HHIPairTokenBuilder', 'HHIReconstructNetwork',
    'ProDAHHIHead'
]
