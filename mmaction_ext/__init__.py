"""mmaction_ext: language-guided action understanding on MMAction2.

Importing the package applies the upstream workarounds in
:mod:`mmaction_ext.compat` and registers every module into MMAction2's
registries, so ``custom_imports = dict(imports=['mmaction_ext'])`` is all a
config needs.
"""
from . import compat

compat.apply_all()

from . import datasets, engine, evaluation, models  # noqa: E402,F401
from . import ops, structures  # noqa: E402,F401
from .fileio import guard_local_checkpoint_loading  # noqa: E402
from .version import __version__  # noqa: E402

guard_local_checkpoint_loading()

__all__ = ['__version__']
