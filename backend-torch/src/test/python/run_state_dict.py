"""Runs state_dicts in real PyTorch, for the Java round-trip tests of backend-torch.

usage: run_state_dict.py JOB [JOB ...]   where JOB = ARCH_FILE,WEIGHTS,INPUTS,N:C:H:W[,bypos]

With ARCH_FILE 'full', WEIGHTS is a whole pickled module: torch.load(WEIGHTS, weights_only=False).
Otherwise, for each job: evaluates the torch.nn.Sequential text in ARCH_FILE (as TorchSyntax.format writes
it, or as users write it with bare class names), loads WEIGHTS with
torch.load(weights_only=True) and load_state_dict (strict; with 'bypos' the file's tensors are
matched to the model's keys by position, for state_dicts of class-based modules), runs the raw
float32 INPUTS in eval mode and prints '== job K' then one line of '%.9g' floats per sample
(9 significant digits give back the exact float32).
"""
import sys
from collections import OrderedDict

import torch

torch.set_num_threads(1)
NAMESPACE = {'torch': torch, 'nn': torch.nn}
NAMESPACE.update({k: getattr(torch.nn, k) for k in dir(torch.nn) if not k.startswith('_')})


def run(k, job):
    parts = job.split(',')
    arch_file, weights, inputs, shape = parts[:4]
    if arch_file == 'full':
        model = torch.load(weights, weights_only=False)
        assert isinstance(model, torch.nn.Sequential), type(model)
    else:
        with open(arch_file) as f:
            model = eval(f.read(), dict(NAMESPACE))
        state = torch.load(weights, weights_only=True)
        if 'bypos' in parts[4:]:
            state = OrderedDict(zip(model.state_dict().keys(), state.values()))
        model.load_state_dict(state)
    model.eval()
    with open(inputs, 'rb') as f:
        x = torch.frombuffer(bytearray(f.read()), dtype=torch.float32)
    x = x.reshape([int(d) for d in shape.split(':')])
    with torch.no_grad():
        y = model(x)
    print('== job %d' % k)
    for row in y.reshape(y.shape[0], -1).tolist():
        print(' '.join('%.9g' % v for v in row))


for i, arg in enumerate(sys.argv[1:]):
    run(i, arg)
