"""The model math: sigmoid and softmax, cross-entropy from logits, penalties."""
