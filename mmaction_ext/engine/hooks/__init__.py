from .boundary_pos_weight_hook import BoundaryPosWeightHook

__all__ = ['BoundaryPosWeightHook']
