"""Homework: logistic regression with gradient descent (MNIST, digits 0 vs 1).

Part 1 fits scikit-learn's LogisticRegression as a sanity check; Part 2 trains the
same model from scratch with NumPy by full-batch gradient descent on the mean binary
cross-entropy; Part 3 evaluates it after a few epochs and after all of them and draws
Plots 1-4 (loss per epoch, confusion matrix, weights as an image, misclassified test
images), plus scikit-learn's misclassified images for comparison.

    python homework.py --data FOLDER [--out FOLDER]

FOLDER holds the four IDX files of the dataset (train-images-idx3-ubyte.gz and so on,
gzipped or not); without --data the folder named by $MNIST_DIR is read. The plots are
written as PNG files into --out (default: the current folder).
"""

import argparse
import gzip
import os
import struct
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import ConfusionMatrixDisplay, accuracy_score, log_loss
from sklearn.preprocessing import StandardScaler

# --- settings of this run ---
DIGITS = (0, 1)  # the first becomes label 0, the second label 1 (the positive class)
CLASS_NAMES = ("0", "1")
LEARNING_RATE = 0.1
EPOCHS = 100
EARLY_EPOCH = 5  # Part 3 compares the model after EARLY_EPOCH and after EPOCHS epochs
MAX_SHOWN = 10  # misclassified images per gallery
# --- end of settings ---


def read_idx(folder, name):
    """One IDX file as a uint8 array: a 4-byte magic number (its last byte is the
    number of dimensions), one big-endian 4-byte size per dimension, then the data."""
    gzipped = Path(folder) / f"{name}.gz"
    f = gzip.open(gzipped) if gzipped.exists() else open(Path(folder) / name, "rb")
    with f:
        ndim = f.read(4)[3]
        shape = struct.unpack(f">{ndim}I", f.read(4 * ndim))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(shape)


def load_pair(folder):
    """(images, X, y) of the training set, then of the test set, keeping the two
    classes: X the images as rows of pixels / 255, y the labels 0 and 1."""
    parts = []
    for split in ("train", "t10k"):
        images = read_idx(folder, f"{split}-images-idx3-ubyte")
        labels = read_idx(folder, f"{split}-labels-idx1-ubyte")
        mask = (labels == DIGITS[0]) | (labels == DIGITS[1])
        X = images[mask].reshape(-1, 28 * 28) / 255.0
        y = (labels[mask] == DIGITS[1]).astype(int)
        parts += [images[mask], X, y]
    return parts


def sigmoid(z):
    """1 / (1 + e^-z), written as exp(-log(1 + e^-z)) so no large z overflows."""
    return np.exp(-np.logaddexp(0, -z))


def bce(y, z):
    """Mean binary cross-entropy -[y log(y_hat) + (1 - y) log(1 - y_hat)] with
    y_hat = sigmoid(z), computed from the logits z as log(1 + e^z) - y z: the same
    value without the 1e-10 guard, finite even for confident mistakes."""
    return float(np.mean(np.logaddexp(0, z) - y * z))


def gradient_descent(X_train, y_train, X_test, y_test):
    """Part 2: weights (bias first) after EARLY_EPOCH and after EPOCHS updates, and the
    training and test loss after each number of updates, 0 to EPOCHS."""
    W = np.zeros(X_train.shape[1])
    train_loss, test_loss, kept = [], [], {}
    for epoch in range(EPOCHS + 1):
        z = X_train @ W
        train_loss.append(bce(y_train, z))  # the loss after `epoch` updates
        test_loss.append(bce(y_test, X_test @ W))
        if epoch in (EARLY_EPOCH, EPOCHS):
            kept[epoch] = W.copy()
        if epoch % 10 == 0 and epoch > 0:
            print(f"Epoch {epoch}, Loss: {train_loss[-1]:.4f}")
        if epoch < EPOCHS:
            grad = X_train.T @ (sigmoid(z) - y_train) / len(y_train)
            W = W - LEARNING_RATE * grad
    return kept, train_loss, test_loss


def report(label, y_test, p_test):
    """Print accuracy and log loss (full precision) of P(label 1) on the test set."""
    print(f"{label} accuracy: {accuracy_score(y_test, p_test >= 0.5)}")
    print(f"{label} log loss: {log_loss(y_test, p_test, labels=[0, 1])}")


def most_confident_mistakes(y_test, p_test):
    """Indices of misclassified test images, most confident first (ties by index)."""
    confidence = np.where(p_test >= 0.5, p_test, 1 - p_test)
    wrong = np.flatnonzero((p_test >= 0.5) != y_test)
    return wrong[np.argsort(-confidence[wrong], kind="stable")][:MAX_SHOWN]


def plot_losses(train_loss, test_loss, path):
    """Plot 1: training and test loss per epoch, log scale."""
    fig = Figure(figsize=(7.5, 4.5), layout="constrained")
    ax = fig.subplots()
    ax.plot(train_loss, label="training")
    ax.plot(test_loss, label="test")
    for epoch in (EARLY_EPOCH, EPOCHS):
        ax.axvline(epoch, color="grey", linestyle=":")
    ax.set(xlabel="epoch", ylabel="binary cross-entropy", yscale="log")
    ax.set_title("Plot 1: loss per epoch (from scratch)")
    ax.legend()
    fig.savefig(path, dpi=110)


def plot_confusion(y_test, p_test, path):
    """Plot 2: confusion matrix of the from-scratch model (rows true, columns
    predicted)."""
    fig = Figure(figsize=(5.5, 4.5), layout="constrained")
    ax = fig.subplots()
    ConfusionMatrixDisplay.from_predictions(
        y_test, (p_test >= 0.5).astype(int), display_labels=CLASS_NAMES, ax=ax
    )
    ax.set_title(f"Plot 2: confusion matrix after {EPOCHS} epochs")
    fig.savefig(path, dpi=110)


def plot_weights(weights, path):
    """Plot 3: each model's 784 weights (bias excluded) as a 28x28 image; red pixels
    push towards label 1, blue towards label 0."""
    fig = Figure(figsize=(4.2 * len(weights) + 0.6, 4.4), layout="constrained")
    panels = zip(fig.subplots(1, len(weights)), weights.items(), strict=True)
    for ax, (title, w) in panels:
        limit = np.abs(w).max() or 1.0
        image = ax.imshow(w.reshape(28, 28), cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_title(title)
        ax.axis("off")
        fig.colorbar(image, ax=ax, shrink=0.8)
    fig.suptitle("Plot 3: weights as 28x28 images")
    fig.savefig(path, dpi=110)


def plot_mistakes(images, y_test, p_test, title, path):
    """Plot 4: up to MAX_SHOWN misclassified test images with the predicted label and
    the probability the model gave it."""
    shown = most_confident_mistakes(y_test, p_test)
    fig = Figure(figsize=(10, 4.8), layout="constrained")
    axes = fig.subplots(2, 5).ravel()
    for ax in axes:
        ax.axis("off")
    for ax, i in zip(axes, shown, strict=False):  # fewer mistakes than panels
        predicted = int(p_test[i] >= 0.5)
        confidence = p_test[i] if predicted else 1 - p_test[i]
        ax.imshow(images[i], cmap="gray_r")
        ax.set_title(
            f"true {CLASS_NAMES[y_test[i]]}, predicted {CLASS_NAMES[predicted]}\n"
            f"confidence {confidence:.3f} (#{i})",
            fontsize=8,
        )
    fig.suptitle(f"{title}: {len(np.flatnonzero((p_test >= 0.5) != y_test))} wrong")
    fig.savefig(path, dpi=110)
    print(f"{title} shown: {shown.tolist()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("MNIST_DIR", "."))
    parser.add_argument("--out", default=".")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    _, X_train, y_train, images_test, X_test, y_test = load_pair(args.data)

    # Standardise with the training images' statistics only
    scaler = StandardScaler()
    X_train_scaled = scaler.fit_transform(X_train)
    X_test_scaled = scaler.transform(X_test)

    # Part 1: scikit-learn with its default settings
    clf = LogisticRegression()
    clf.fit(X_train_scaled, y_train)
    p_sklearn = clf.predict_proba(X_test_scaled)[:, 1]
    report("scikit-learn", y_test, p_sklearn)

    # Part 2: from scratch; a column of ones in front carries the bias
    X_manual = np.hstack([np.ones((len(X_train), 1)), X_train_scaled])
    X_test_manual = np.hstack([np.ones((len(X_test), 1)), X_test_scaled])
    kept, train_loss, test_loss = gradient_descent(
        X_manual, y_train, X_test_manual, y_test
    )

    # Part 3: the same run after EARLY_EPOCH and after EPOCHS epochs
    for epoch, W in kept.items():
        label = f"scratch epoch {epoch}"
        report(label, y_test, sigmoid(X_test_manual @ W))
        print(f"{label} train loss: {train_loss[epoch]}")
        print(f"{label} test loss: {test_loss[epoch]}")
    W = kept[EPOCHS]
    p_scratch = sigmoid(X_test_manual @ W)
    plot_losses(train_loss, test_loss, out / "plot1_loss.png")
    plot_confusion(y_test, p_scratch, out / "plot2_confusion.png")
    weights = {f"from scratch, {EPOCHS} epochs": W[1:], "scikit-learn": clf.coef_[0]}
    plot_weights(weights, out / "plot3_weights.png")
    plot_mistakes(
        images_test, y_test, p_scratch, "Plot 4: from scratch",
        out / "plot4_misclassified.png",
    )  # fmt: skip

    # Compare with scikit-learn
    print("scikit-learn accuracy:", accuracy_score(y_test, clf.predict(X_test_scaled)))
    plot_mistakes(
        images_test, y_test, p_sklearn, "scikit-learn",
        out / "plot4_misclassified_sklearn.png",
    )  # fmt: skip


if __name__ == "__main__":
    main()
