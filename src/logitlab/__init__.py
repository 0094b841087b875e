"""logitlab: logistic and softmax regression on handwritten digits, from scratch in NumPy."""

__version__ = "0.1.0"
