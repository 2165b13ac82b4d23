from mmaction.registry import OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapper
from torch import nn


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class TrainableParamsOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """The default constructor, keeping only ``requires_grad`` parameters.

    MMEngine's default constructor hands frozen parameters to the optimizer
    too; this one removes them from every parameter group (and drops groups
    left empty), so a frozen parameter is neither updated nor decayed, and
    the optimizer state holds only what is trained (e.g. ProDA's second
    stage, which trains only the classifiers). Same arguments as
    :class:`mmengine.optim.DefaultOptimWrapperConstructor`.
    """

    def __call__(self, model: nn.Module) -> OptimWrapper:
        wrapper = super().__call__(model)
        optimizer = wrapper.optimizer
        groups = []
        for group in optimizer.param_groups:
            group['params'] = [p for p in group['params'] if p.requires_grad]
            if group['params']:
                groups.append(group)
        if not groups:
            raise ValueError('no parameter of the model requires grad: '
                             'nothing to optimize')
        optimizer.param_groups = groups
        return wrapper
