"""gramixc — GraMixC: mixing graph-community configurations for downstream prediction.

Public API::

    from gramixc import GraMixC, GraMixCRegressor, GraMixCClassifier, Fusion
    from gramixc import ConfigurationExtractor, Configurations
    from gramixc import make_pipeline   # GraMixC judged by the model after it

torch is imported only when a fusion network is trained or used, so the
unsupervised parts and GraMixC's default features work without it installed
(``pip install .`` from the repository; ``".[torch]"`` adds the fusion and the
end-to-end estimators, ``".[plot]"`` the figures, ``".[all]"`` everything). See the
README and ``docs/``.
"""

from importlib import metadata as _metadata

from .configurations import Configurations
from .estimators import (
    AUTO_CANDIDATES,
    FEATURE_SETS,
    FUSION_CANDIDATES,
    GraMixC,
    GraMixCClassifier,
    GraMixCRegressor,
)
from .extractor import ConfigurationExtractor
from .fusion_settings import Fusion
from .pipeline import make_pipeline

__all__ = [
    "AUTO_CANDIDATES",
    "FEATURE_SETS",
    "FUSION_CANDIDATES",
    "ConfigurationExtractor",
    "Configurations",
    "Fusion",
    "GraMixC",
    "GraMixCClassifier",
    "GraMixCRegressor",
    "__version__",
    "make_pipeline",
]
try:
    __version__ = _metadata.version("gramixc")
except _metadata.PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
