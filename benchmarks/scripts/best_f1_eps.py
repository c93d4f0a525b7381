"""The tolerance of best F1 on a tiled CLIP file (make_tiled_clip.py) against its true matches (rows copied from one
COCO pair, base.npy): every true pair's distance, and the counts of all pairs estimated from every STEP-th image row
against all texts (float32 distances; ε on a grid of 0.001 from 0.9 to 1.5).
usage: /usr/bin/python3 benchmarks/scripts/best_f1_eps.py DIR [STEP=8]"""
import sys
import numpy as np

folder = sys.argv[1]
step = int(sys.argv[2]) if len(sys.argv) > 2 else 8
x, y = np.load(f"{folder}/images.npy"), np.load(f"{folder}/texts.npy")
base = np.load(f"{folder}/base.npy")
edges = np.linspace(0.9, 1.5, 601)


def cumulative(distances):
    return np.cumsum(np.histogram(distances, edges)[0]) + np.count_nonzero(distances < edges[0])


sample = x[::step]
squared = (sample * sample).sum(1)[:, None] + (y * y).sum(1)[None, :] - 2 * sample @ y.T
found = cumulative(np.sqrt(np.maximum(squared, 0))) * float(step)
true_pairs = np.zeros(len(edges) - 1)
truth = 0
for b in np.unique(base):
    rows = np.nonzero(base == b)[0]
    true_pairs += cumulative(np.sqrt(((x[rows][:, None, :] - y[rows][None, :, :]) ** 2).sum(-1)))
    truth += len(rows) ** 2
f1 = 2 * true_pairs / (found + truth)
best = int(np.argmax(f1))
print(f"{folder}: best F1 {f1[best]:.3f} at eps {edges[best + 1]:.3f} (about {int(found[best])} pairs)")
