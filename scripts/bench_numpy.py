#!/usr/bin/env python3
"""numpy reference for scripts/bench-train.sh: MLP 784-256-10, batch 64, SGD with momentum 0.9 (and again
with momentum 0, plain SGD), L2 1e-4, float32, on the rows TrainBenchmark dumped (int32 rows, int32 features,
float32 x, uint8 y; little-endian). Prints human lines, then one JSON object."""
import json
import sys
import time

import numpy as np


def main(path):
    momentum = samples_per_s(path, 0.9)
    plain = samples_per_s(path, 0.0)
    print(json.dumps({"numpy_samples_per_s": round(momentum, 1), "numpy_plain_sgd_samples_per_s": round(plain, 1)}))


def samples_per_s(path, momentum, epochs=5):
    raw = open(path, "rb").read()
    n, d = (int(v) for v in np.frombuffer(raw[:8], "<i4"))
    x = np.frombuffer(raw, "<f4", n * d, 8).reshape(n, d)
    y = np.frombuffer(raw, np.uint8, n, 8 + 4 * n * d)
    Y = np.eye(10, dtype=np.float32)[y]
    rng = np.random.default_rng(1)
    W0 = rng.uniform(-np.sqrt(6 / 784), np.sqrt(6 / 784), (784, 256)).astype(np.float32)
    b0 = np.zeros(256, np.float32)
    W1 = rng.uniform(-np.sqrt(6 / 266), np.sqrt(6 / 266), (256, 10)).astype(np.float32)
    b1 = np.zeros(10, np.float32)
    params = [W0, b0, W1, b1]
    vel = [np.zeros_like(p) for p in params]
    lr, mu, l2, batch = np.float32(0.05), np.float32(momentum), np.float32(1e-4), 64

    def epoch():
        perm = rng.permutation(n)
        loss = 0.0
        for s in range(0, n, batch):
            idx = perm[s:s + batch]
            xb, yb = x[idx], Y[idx]
            m = np.float32(len(idx))
            h = xb @ W0 + b0
            a = np.maximum(h, 0)
            z = a @ W1 + b1
            z -= z.max(axis=1, keepdims=True)
            e = np.exp(z)
            p = e / e.sum(axis=1, keepdims=True)
            loss += float(-(yb * np.log(p + 1e-30)).sum())
            dz = (p - yb) / m
            gW1 = a.T @ dz + l2 * W1
            gb1 = dz.sum(axis=0)
            da = dz @ W1.T
            da[h <= 0] = 0
            gW0 = xb.T @ da + l2 * W0
            gb0 = da.sum(axis=0)
            for prm, v, g in zip(params, vel, (gW0, gb0, gW1, gb1)):
                if mu == 0:
                    prm -= lr * g  # plain SGD: no velocity
                else:
                    v *= mu
                    v += g
                    prm -= lr * v
        return loss / n

    epoch()  # warm-up
    times = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        loss = epoch()
        times.append(time.perf_counter() - t0)
    sps = n / min(times)  # the fastest epoch, as the Java side takes its fastest call (noisy shared machine)
    print(f"numpy {np.__version__} reference, MLP 784-256-10, momentum {momentum}: {sps:.0f} samples/s "
          f"(last epoch loss {loss:.4f})")
    return sps


if __name__ == "__main__":
    main(sys.argv[1])
