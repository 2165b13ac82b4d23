"""Pure-PyTorch implementations: always available, the reference backend."""
