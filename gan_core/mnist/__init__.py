"""MNIST GANs: data, models, training, checkpoints, the digit classifier and its metrics."""
