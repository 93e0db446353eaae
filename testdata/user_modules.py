"""User-defined nn.Module classes as published LeNet-5 repositories write them (imported by
stranger_variants.py, which pickles whole models of them, and by verify.py, which loads those
pickles: torch.load needs the class). Their forward() is Python code that a pickle does not hold,
so lenet5 refuses these files without --arch and drafts one from the modules in registration order.
Each class also has logits(x): forward() without its final softmax, for verify.py.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class FeaturesClassifier(nn.Module):
    """features / classifier Sequentials, flattened in forward() with x.view(x.size(0), -1)."""

    def __init__(self, features, classifier):
        super().__init__()
        self.features = features
        self.classifier = classifier

    def logits(self, x):
        x = self.features(x)
        x = x.view(x.size(0), -1)
        return self.classifier[:-1](x)

    def forward(self, x):
        x = self.features(x)
        x = x.view(x.size(0), -1)
        return self.classifier(x)


class Attributes(nn.Module):
    """One attribute per layer (conv1, tanh1, pool1, ...), flattened in forward() with torch.flatten(x, 1)."""

    def __init__(self, layers):
        super().__init__()
        (self.conv1, self.tanh1, self.pool1, self.conv2, self.tanh2, self.pool2, self.conv3, self.tanh3,
         self.fc1, self.tanh4, self.fc2, self.softmax) = layers

    def logits(self, x):
        x = self.pool1(self.tanh1(self.conv1(x)))
        x = self.pool2(self.tanh2(self.conv2(x)))
        x = torch.flatten(self.tanh3(self.conv3(x)), 1)
        return self.fc2(self.tanh4(self.fc1(x)))

    def forward(self, x):
        return self.softmax(self.logits(x))


class TutorialStyle(nn.Module):
    """The PyTorch CIFAR-10 tutorial's way: one self.pool used after each convolution, F.relu, F.softmax."""

    def __init__(self, conv1, pool, conv2, conv3, fc1, fc2):
        super().__init__()
        self.conv1, self.pool, self.conv2, self.conv3, self.fc1, self.fc2 = conv1, pool, conv2, conv3, fc1, fc2

    def logits(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(F.relu(self.conv3(x)), 1)
        return self.fc2(F.relu(self.fc1(x)))

    def forward(self, x):
        return F.softmax(self.logits(x), dim=1)
