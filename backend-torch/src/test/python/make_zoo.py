"""Writes small models with every layer kind backend-torch reads, in every container, with
PyTorch's own outputs, for the Java ZooTest.

usage: make_zoo.py OUT_DIR

For each model M: M_full.pt (torch.save(model)), M_state.pt (state_dict), M_script.pt
(torch.jit.script), M_trace.pt (torch.jit.trace), M_legacy.pt (full model, legacy format),
M_dataparallel.pt (torch.save(nn.DataParallel(model))),
M.inputs.f32 / M.outputs.f32 (raw little-endian float32) and M.properties with the architecture
text and the input shape.
"""
import struct
import sys

import torch
from torch import nn

torch.set_num_threads(1)

MODELS = {
    # Every supported layer kind, with strides, 'valid'/'same', asymmetric ZeroPad2d, ceil_mode,
    # count_include_pad=False, both BatchNorms, Identity, Dropout and softmax over dim=-1.
    'zoo_mixed': ('3,11,13', "Sequential(ZeroPad2d((1, 2, 0, 1)), Conv2d(3, 4, 3, stride=2, padding='valid', bias=False), "
                  "BatchNorm2d(4), ReLU(), MaxPool2d(3, stride=2, padding=1, ceil_mode=True), Conv2d(4, 5, 3, padding='same'), "
                  "Sigmoid(), AvgPool2d(2, padding=1, count_include_pad=False), Identity(), Flatten(), Dropout(0.3), "
                  "Linear(30, 7), BatchNorm1d(7, eps=0.001), Tanh(), Linear(7, 3), Softmax(dim=-1))"),
    # An even kernel with padding='same' pads asymmetrically; AvgPool2d with ceil_mode.
    'zoo_same_even': ('2,9,9', "Sequential(Conv2d(2, 3, 4, padding='same'), ReLU(), AvgPool2d(3, stride=2, ceil_mode=True), "
                      "Flatten(), Linear(48, 5))"),
    # Nested Sequentials: state_dict keys such as 0.0.weight.
    'zoo_nested': ('1,8,8', "Sequential(Sequential(Conv2d(1, 2, 3), ReLU()), Sequential(Flatten(), Linear(72, 4), "
                   "Softmax(dim=1)))"),
}


def write_f32(path, t):
    v = t.detach().reshape(-1).tolist()
    with open(path, 'wb') as f:
        f.write(struct.pack('<%df' % len(v), *v))


def randomize_batchnorm(model):
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            with torch.no_grad():
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)
            m.num_batches_tracked.fill_(7)


class LeNet5(nn.Module):
    """A class-based model: its forward() lives in this file, not in the .pt."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 10)

    def forward(self, x):
        x = nn.functional.avg_pool2d(torch.tanh(self.conv1(x)), 2)
        x = nn.functional.avg_pool2d(torch.tanh(self.conv2(x)), 2)
        x = torch.tanh(self.fc1(torch.flatten(x, 1)))
        return torch.softmax(self.fc2(x), dim=1)


USER_ARCHITECTURE = ("Sequential(Conv2d(1, 6, 5, padding=2), Tanh(), AvgPool2d(2), Conv2d(6, 16, 5), Tanh(), AvgPool2d(2), "
                     "Flatten(), Linear(400, 120), Tanh(), Linear(120, 10), Softmax(dim=1))")


def save_user_model(out):
    """__main__.LeNet5 as a full model (zip and legacy) and as TorchScript (__torch__.LeNet5)."""
    torch.manual_seed(7)
    model = LeNet5().eval()
    x = torch.rand(4, 1, 28, 28)
    with torch.no_grad():
        y = model(x)
    write_f32('%s/user.inputs.f32' % out, x)
    write_f32('%s/user.outputs.f32' % out, y)
    torch.save(model, '%s/user_full.pt' % out)
    torch.save(model, '%s/user_legacy.pt' % out, _use_new_zipfile_serialization=False)
    torch.jit.script(model).save('%s/user_script.pt' % out)
    torch.jit.trace(model, x).save('%s/user_trace.pt' % out)
    with open('%s/user.arch' % out, 'w') as f:
        f.write(USER_ARCHITECTURE)


def main(out):
    namespace = {k: getattr(nn, k) for k in dir(nn) if not k.startswith('_')}
    for seed, (name, (chw, arch)) in enumerate(MODELS.items()):
        torch.manual_seed(100 + seed)
        model = eval(arch, dict(namespace))
        randomize_batchnorm(model)
        model.eval()
        shape = [int(d) for d in chw.split(',')]
        x = torch.rand([4] + shape)
        with torch.no_grad():
            y = model(x)
        write_f32('%s/%s.inputs.f32' % (out, name), x)
        write_f32('%s/%s.outputs.f32' % (out, name), y)
        torch.save(model, '%s/%s_full.pt' % (out, name))
        torch.save(model.state_dict(), '%s/%s_state.pt' % (out, name))
        torch.save(model, '%s/%s_legacy.pt' % (out, name), _use_new_zipfile_serialization=False)
        torch.jit.script(model).save('%s/%s_script.pt' % (out, name))
        torch.jit.trace(model, x).save('%s/%s_trace.pt' % (out, name))
        torch.save(nn.DataParallel(model), '%s/%s_dataparallel.pt' % (out, name))
        with open('%s/%s.properties' % (out, name), 'w') as f:
            f.write('architecture=%s\ninput_chw=%s\nsamples=%d\noutput_size=%d\n' % (arch, chw, x.shape[0], y[0].numel()))


def save_checkpoint(out):
    """A training checkpoint with the extras real ones carry: numpy values, a device, a dtype, SGD state."""
    import numpy as np
    torch.manual_seed(102)
    chw, arch = MODELS['zoo_nested']
    model = eval(arch, {k: getattr(nn, k) for k in dir(nn) if not k.startswith('_')}).eval()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x = torch.rand([4] + [int(d) for d in chw.split(',')])
    model(x).sum().backward()
    opt.step()
    with torch.no_grad():
        y = model(x)
    write_f32('%s/checkpoint.inputs.f32' % out, x)
    write_f32('%s/checkpoint.outputs.f32' % out, y)
    torch.save({'epoch': 3, 'model_state_dict': model.state_dict(), 'optimizer_state_dict': opt.state_dict(),
                'best_acc': np.float64(0.9), 'history': np.zeros(3, dtype=np.float32), 'device': torch.device('cpu'),
                'dtype': torch.float32, 'size': torch.Size([1, 2])}, '%s/checkpoint.pt' % out)
    with open('%s/checkpoint.arch' % out, 'w') as f:
        f.write(arch)


main(sys.argv[1])
save_user_model(sys.argv[1])
save_checkpoint(sys.argv[1])
