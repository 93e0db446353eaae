#!/usr/bin/python3
"""Re-save committed models the way published repositories save them, where generate.py does not.

Each file is written by real PyTorch from a model that generate.py trained (testdata/torch/*.pt),
gets a .properties manifest like generate.py's (the source model's inputs and outputs), and is
checked here: the script loads it back with real PyTorch the way its author would use it and
fails unless the outputs are exactly the source model's (run now; the committed outputs, computed
in another batch, agree within verify.py's 1e-5).

* lenet5_relu_state_dict_extras.pt: `sd = model.state_dict(); sd['epoch'] = 12;
  sd['classes'] = [...]; sd['normalize'] = (0.1307, 0.3081); torch.save(sd, f)`: a state_dict
  with plain entries beside the tensors (its author drops them before `load_state_dict`).
* lenet5_tanh_checkpoint_model_state.pt: `{'epoch', 'model_state', 'optimizer_state', 'best_acc'}`,
  a checkpoint that keeps its one state_dict under a name of its own.
* lenet5_relu_swa_state_dict.pt: `AveragedModel(model).state_dict()` (torch.optim.swa_utils):
  the int64 counter `n_averaged`, then the weights under `module.`.
* lenet5_relu_user_features.pt, lenet5_tanh_user_attributes.pt, lenet5_relu_user_tutorial.pt:
  `torch.save(model)` of user-defined nn.Module classes (user_modules.py) holding the committed
  models' own layers: `features`/`classifier` with `x.view(x.size(0), -1)`; one attribute per
  layer with `torch.flatten(x, 1)`; the CIFAR-10 tutorial's one `self.pool` used twice with
  `F.relu` and `F.softmax`. lenet5 refuses them (forward() is not in the file) with a drafted
  --arch; for the first two that draft is exactly the model.

Usage: /usr/bin/python3 testdata/stranger_variants.py
"""
import collections
import os

import numpy as np
import torch
import torch.nn as nn

import user_modules
from manifests import ARCH_RELU, ARCH_TANH, TDIR, manifest

torch.set_num_threads(1)


def check(model, source, model_name):
    """Identical to the source model run now, and within verify.py's 1e-5 of the committed outputs."""
    x = torch.from_numpy(np.fromfile(os.path.join(TDIR, "inputs_16x1x28x28.f32"), "<f4").reshape(16, 1, 28, 28))
    recorded = np.fromfile(os.path.join(TDIR, model_name + ".outputs.f32"), "<f4").reshape(16, 10)
    with torch.no_grad():
        got = model.eval()(x).numpy()
        want = source.eval()(x).numpy()
    if not np.array_equal(got, want) or np.abs(got - recorded).max() > 1e-5:
        raise SystemExit("%s: outputs differ from the source model's by %g (from the recorded ones by %g)"
                         % (model_name, np.abs(got - want).max(), np.abs(got - recorded).max()))


def main():
    relu = torch.load(os.path.join(TDIR, "lenet5_relu.pt"))
    sd = relu.state_dict()
    sd["epoch"] = 12
    sd["classes"] = [str(d) for d in range(10)]
    sd["normalize"] = (0.1307, 0.3081)
    pt = "lenet5_relu_state_dict_extras.pt"
    torch.save(sd, os.path.join(TDIR, pt))
    back = torch.load(os.path.join(TDIR, pt))
    m = eval(ARCH_RELU, vars(nn))
    m.load_state_dict(collections.OrderedDict((k, v) for k, v in back.items() if isinstance(v, torch.Tensor)))
    check(m, relu, "lenet5_relu")
    manifest("stranger_variants.py", pt, "lenet5_relu", "state_dict with entries that are not tensors (epoch, classes, normalize)", ARCH_RELU)
    print("wrote and checked", pt)

    tanh = torch.load(os.path.join(TDIR, "lenet5_tanh.pt"))
    opt = torch.optim.SGD(tanh.parameters(), lr=0.01, momentum=0.9)
    pt = "lenet5_tanh_checkpoint_model_state.pt"
    torch.save({"epoch": 7, "model_state": tanh.state_dict(), "optimizer_state": opt.state_dict(), "best_acc": 0.972},
               os.path.join(TDIR, pt))
    m = eval(ARCH_TANH, vars(nn))
    m.load_state_dict(torch.load(os.path.join(TDIR, pt))["model_state"])
    check(m, tanh, "lenet5_tanh")
    manifest("stranger_variants.py", pt, "lenet5_tanh", "checkpoint with the state_dict under a key of its own ('model_state')", ARCH_TANH)
    print("wrote and checked", pt)

    from torch.optim.swa_utils import AveragedModel
    swa = AveragedModel(relu)
    swa.update_parameters(relu)
    pt = "lenet5_relu_swa_state_dict.pt"
    torch.save(swa.state_dict(), os.path.join(TDIR, pt))
    back = torch.load(os.path.join(TDIR, pt))
    m = eval(ARCH_RELU, vars(nn))
    m.load_state_dict(collections.OrderedDict((k[len("module."):], v) for k, v in back.items() if k != "n_averaged"))
    check(m, relu, "lenet5_relu")
    manifest("stranger_variants.py", pt, "lenet5_relu", "state_dict of torch.optim.swa_utils.AveragedModel (n_averaged, then module.*)", ARCH_RELU)
    print("wrote and checked", pt)

    for pt, model, source, model_name, variant in (
            ("lenet5_relu_user_features.pt", user_modules.FeaturesClassifier(relu[0:8], nn.Sequential(*relu[9:13])), relu,
             "lenet5_relu", "full pickle of a user's nn.Module: features/classifier, x.view(x.size(0), -1) in forward()"),
            ("lenet5_tanh_user_attributes.pt", user_modules.Attributes(list(tanh[0:8]) + list(tanh[9:13])), tanh,
             "lenet5_tanh", "full pickle of a user's nn.Module: one attribute per layer, torch.flatten(x, 1) in forward()"),
            ("lenet5_relu_user_tutorial.pt", user_modules.TutorialStyle(relu[0], relu[2], relu[3], relu[6], relu[9], relu[11]),
             relu, "lenet5_relu", "full pickle of a user's nn.Module: one self.pool used twice, F.relu and F.softmax in forward()")):
        torch.save(model, os.path.join(TDIR, pt))
        check(torch.load(os.path.join(TDIR, pt)), source, model_name)
        manifest("stranger_variants.py", pt, model_name, variant, ARCH_RELU if model_name == "lenet5_relu" else ARCH_TANH)
        print("wrote and checked", pt)


main()
