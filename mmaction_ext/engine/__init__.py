from .hooks import BoundaryPosWeightHook

__all__ = ['BoundaryPosWeightHook']
