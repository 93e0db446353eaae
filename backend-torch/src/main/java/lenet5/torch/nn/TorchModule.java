package lenet5.torch.nn;

import lenet5.torch.storage.TensorRef;

import java.util.List;
import java.util.Map;

/**
 * A {@code torch.nn} module as this reader sees it, whatever it came from: a full-model pickle
 * (attributes from its {@code __dict__}), a TorchScript archive (constants from its code) or
 * architecture text (constructor arguments).
 *
 * @param path      where it sits in the model, as state_dict keys spell it ({@code "0"}, {@code "features.3"}, {@code ""} for the root)
 * @param className the qualified Python class, for messages ({@code torch.nn.modules.conv.Conv2d}, {@code __main__.LeNet5})
 * @param type      the simple class name ({@code Conv2d})
 * @param standard  whether it is a {@code torch.nn} class whose behaviour this reader knows (not a user's subclass)
 * @param attrs     hyperparameters as Python values (Long, Double, Boolean, String, PyTuple, List, PyNone)
 * @param tensors   parameters then buffers, in the module's own order ({@code weight}, {@code bias}, {@code running_mean}, ...)
 * @param children  submodules in registration order
 */
public record TorchModule(String path, String className, String type, boolean standard, Map<String, Object> attrs,
                          Map<String, TensorRef> tensors, List<TorchModule> children) {
    public TorchModule {
        attrs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(attrs));
        tensors = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tensors));
        children = List.copyOf(children);
    }

    /** The name to show: the path, or the class for the root. */
    public String label() {
        return path.isEmpty() ? type : path;
    }

    /**
     * Whether this module's forward runs its children in order: an {@code nn.Sequential}, or a
     * {@code DataParallel}/{@code DistributedDataParallel} wrapper around one module.
     */
    public boolean isSequential() {
        return standard && (type.equals("Sequential")
                || ((type.equals("DataParallel") || type.equals("DistributedDataParallel")) && children.size() == 1));
    }

    /** {@code prefix.name} the way state_dict keys join module paths. */
    public static String join(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }
}
