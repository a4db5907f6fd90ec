"""The 1-D toy GAN: distributions, divergences, the toy nets and their fast path, the cost race."""
