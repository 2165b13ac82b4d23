from .trainable_params_optim_wrapper_constructor import \
    TrainableParamsOptimWrapperConstructor

__all__ = ['TrainableParamsOptimWrapperConstructor']
