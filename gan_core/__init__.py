"""GAN Lab core: the maths and the training behind the lecture pages.

Pure PyTorch / NumPy / SciPy. Never imports Streamlit (tests/test_architecture.py checks).
"""
