"""The standard workload in scikit-learn and PyTorch, for side-by-side speed with MlpTrainer.

Fashion-MNIST (60,000 training images scaled to [0, 1]), MLP 784-256-128-10 ReLU, softmax cross-entropy,
Adam lr 1e-3, batch 128, shuffled each epoch, no L2, 2 threads. Prints the BLAS the peers run on, then one line per peer:
  <peer> fit <wall seconds of the whole fit> s/epoch <median epoch> accuracy <test accuracy after the epochs>
The fit's wall time is what a user waits for (scikit-learn's MLPClassifier.fit with max_iter = epochs; PyTorch's
training loop from tensors); the epoch times come from a second, epoch-by-epoch run.
Needs Debian's python3-sklearn, python3-torch and libopenblas0-pthread (numpy's reference BLAS is 25x slower).
"""
import argparse
import gzip
import os
import statistics
import sys
import time
import warnings

DATA = "/usr/share/datasets/fashion-mnist"


def load(np, train):
    prefix = "train" if train else "t10k"
    with gzip.open(os.path.join(DATA, f"{prefix}-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784).astype(np.float32) / 255.0
    with gzip.open(os.path.join(DATA, f"{prefix}-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
    return images, labels


def sklearn_run(np, epochs, x, y, xt, yt):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    def model(max_iter, warm_start):
        return MLPClassifier(hidden_layer_sizes=(256, 128), activation="relu", solver="adam", alpha=0.0,
                             batch_size=128, learning_rate_init=1e-3, max_iter=max_iter, shuffle=True, random_state=0,
                             warm_start=warm_start, tol=0.0, n_iter_no_change=10**9)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        whole = model(epochs, False)
        start = time.perf_counter()
        whole.fit(x, y)
        wall = time.perf_counter() - start
        stepwise = model(1, True)
        seconds = []
        for _ in range(epochs):
            start = time.perf_counter()
            stepwise.fit(x, y)  # warm_start with max_iter=1: one more epoch each call
            seconds.append(time.perf_counter() - start)
    return wall, seconds, float((whole.predict(xt) == yt).mean())


def torch_run(np, epochs, x, y, xt, yt, threads):
    import torch
    torch.manual_seed(0)
    torch.set_num_threads(threads)
    x, y, xt, yt = map(torch.from_numpy, (x, y, xt, yt))
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128), torch.nn.ReLU(),
                                torch.nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    seconds = []
    begin = time.perf_counter()
    for _ in range(epochs):
        start = time.perf_counter()
        order = torch.randperm(x.shape[0])
        for i in range(0, x.shape[0], 128):
            index = order[i:i + 128]
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x[index]), y[index])
            loss.backward()
            optimizer.step()
        seconds.append(time.perf_counter() - start)
    wall = time.perf_counter() - begin
    with torch.no_grad():
        accuracy = float((model(xt).argmax(1) == yt).float().mean())
    return wall, seconds, accuracy


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--peers", default="sklearn,torch")
    args = parser.parse_args()
    if not os.path.isdir(DATA):
        sys.exit(f"Fashion-MNIST is not installed in {DATA}: run 'apt-get install dataset-fashion-mnist'.")
    import numpy as np
    x, y = load(np, True)
    xt, yt = load(np, False)
    print("blas " + blas_description(np), flush=True)
    for peer in args.peers.split(","):
        if peer == "sklearn":
            wall, seconds, accuracy = sklearn_run(np, args.epochs, x, y, xt, yt)
        elif peer == "torch":
            wall, seconds, accuracy = torch_run(np, args.epochs, x, y, xt, yt, args.threads)
        else:
            sys.exit(f"unknown peer {peer!r}: use sklearn, torch")
        print(f"{peer} fit {wall:.3f} s/epoch {statistics.median(seconds):.3f} accuracy {accuracy:.4f}", flush=True)


def blas_description(np):
    """Which BLAS numpy (and so scikit-learn) runs, and which kernel it picked (e.g. OpenBLAS Cooperlake or Haswell)."""
    np.ones((64, 64)) @ np.ones((64, 64))  # load the BLAS
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (python3-threadpoolctl is not installed)"
    blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    if not blas:
        return "none found: numpy runs its reference BLAS (install libopenblas0-pthread)"
    return "; ".join(f"{i.get('internal_api')} {i.get('version')} kernel {i.get('architecture')} ({i.get('num_threads')} threads)" for i in blas)


if __name__ == "__main__":
    main()
