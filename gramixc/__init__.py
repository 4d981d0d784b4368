"""gramixc — GraMixC: mixing graph-community configurations for downstream prediction.

Public API::

    from gramixc import GraMixC, GraMixCRegressor, GraMixCClassifier, Fusion
    from gramixc import ConfigurationExtractor, Configurations

torch is imported only when a fusion model is trained or used, so the
unsupervised parts work without loading it. See the README and ``docs/``.
"""

from .configurations import Configurations
from .estimators import (
    AUTO_CANDIDATES,
    FEATURE_SETS,
    FUSION_CANDIDATES,
    Fusion,
    GraMixC,
    GraMixCClassifier,
    GraMixCRegressor,
)
from .extractor import ConfigurationExtractor

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
]
__version__ = "0.1.0"
