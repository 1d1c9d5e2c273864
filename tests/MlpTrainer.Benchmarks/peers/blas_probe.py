"""Prints the OpenBLAS kernel numpy runs and its single-precision GFLOP/s on a 1024³ product (for compare.sh)."""
import time

import numpy as np

a = np.random.rand(1024, 1024).astype(np.float32)
b = np.random.rand(1024, 1024).astype(np.float32)
a @ b
runs = 10
start = time.perf_counter()
for _ in range(runs):
    a @ b
seconds = (time.perf_counter() - start) / runs
try:
    from threadpoolctl import threadpool_info
    kernel = ",".join(str(i.get("architecture")) for i in threadpool_info() if i.get("user_api") == "blas") or "reference"
except ImportError:
    kernel = "unknown"
print(f"{kernel} {2 * 1024 ** 3 / seconds / 1e9:.1f}")
