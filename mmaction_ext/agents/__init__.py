"""LLM agents that design parts of a model (A2O's ICRL object selection)."""
from .icrl_agent import (MODES, ICRLAgent, ICRLError, ICRLPolicyError,
                         TrainRequest, TrainResult, load_injected_history)
from .icrl_history import ICRLHistory
from .icrl_steps import DetectorMapsStep, RunnerTrainStep, apply_object_classes

__all__ = [
    'MODES', 'ICRLAgent', 'ICRLError', 'ICRLPolicyError', 'TrainRequest',
    'TrainResult', 'load_injected_history', 'ICRLHistory', 'DetectorMapsStep',
    'RunnerTrainStep', 'apply_object_classes'
]
