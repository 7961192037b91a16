#!/usr/bin/python3
"""Loading a large model must not hold much more than about twice its size in memory:
runs `topiary-cli info` on the biggest reference model (vgg16, ~553 MB) and checks the
child's peak resident memory."""
import os
import resource
import subprocess
import sys

cli, model = sys.argv[1], sys.argv[2]
size = os.path.getsize(model)
subprocess.run([cli, "info", model], check=True, stdout=subprocess.DEVNULL)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
ratio = peak / size
print(f"model {size / 1e6:.0f} MB, peak RSS {peak / 1e6:.0f} MB, ratio {ratio:.2f}")
if ratio > 2.2:
    print("FAILED: loading held more than about twice the model's size")
    sys.exit(1)
