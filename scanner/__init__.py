"""emoscan: find emotion recognition in code, configs and model files, and report it under the EU AI Act
and the GDPR."""

__version__ = "0.1.0"
