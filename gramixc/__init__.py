"""gramixc — GraMixC: mixing graph-community configurations for downstream prediction.

Public API::

    from gramixc import ConfigurationExtractor, Configurations

See the README and ``docs/`` for the algorithms and benchmarks.
"""

from .configurations import Configurations
from .extractor import ConfigurationExtractor

__all__ = ["ConfigurationExtractor", "Configurations", "__version__"]
__version__ = "0.1.0"
