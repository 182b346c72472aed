"""contractgen: contract specs in YAML to typed surfaces."""

__version__ = "0.1.0"
