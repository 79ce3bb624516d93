"""Stand-ins for the parts of diffusers that `scheduling_unipc_multistep.py` / `scheduling_lcm.py` import, so
that those two files run without the rest of the package (which needs huggingface_hub, not in Debian). Written
from diffusers' documented behaviour, not copied:

* `configuration_utils.register_to_config`: the decorated __init__ first stores every argument (defaults
  filled in) in `self.config`, then runs; `ConfigMixin.register_to_config(**kw)` updates `self.config`.
* `utils.deprecate` (only reached when a deprecated argument is passed: none is), `is_scipy_available`,
  `BaseOutput` (a plain base for the output dataclasses), `logging.get_logger`.
* `utils.torch_utils.randn_tensor(shape, generator, device, dtype)`: `torch.randn(shape, generator=generator,
  dtype=dtype)` on the CPU, what the original does for one CPU generator.
* `schedulers.scheduling_utils`: `SchedulerMixin` (empty: the schedulers' own methods are the ones used),
  `SchedulerOutput(prev_sample)`, `KarrasDiffusionSchedulers` (only its member names are read).
"""
import enum
import functools
import importlib.util
import inspect
import logging as _logging
import sys
import types
from dataclasses import dataclass

import torch


def install(root):
    """Registers the stand-ins as `diffusers.*` and loads the two scheduler files from `root` (the exported
    src/diffusers). Returns (scheduling_unipc_multistep, scheduling_lcm)."""

    def module(name, path=None, **attrs):
        m = types.ModuleType(name)
        if path is not None:
            m.__path__ = [path]
        m.__dict__.update(attrs)
        sys.modules[name] = m
        return m

    class ConfigMixin:
        def register_to_config(self, **kwargs):
            if not hasattr(self, "config"):
                self.config = types.SimpleNamespace()
            self.config.__dict__.update(kwargs)

    def register_to_config(init):
        sig = inspect.signature(init)

        @functools.wraps(init)
        def wrapped(self, *args, **kwargs):
            bound = sig.bind(self, *args, **kwargs)
            bound.apply_defaults()
            values = dict(bound.arguments)
            values.pop("self")
            ConfigMixin.register_to_config(self, **values)
            init(self, *args, **kwargs)

        return wrapped

    class BaseOutput:
        pass

    @dataclass
    class SchedulerOutput(BaseOutput):
        prev_sample: torch.Tensor

    def randn_tensor(shape, generator=None, device=None, dtype=None, layout=None):
        return torch.randn(shape, generator=generator, dtype=dtype)

    module("diffusers", path=root)
    module("diffusers.configuration_utils", ConfigMixin=ConfigMixin, register_to_config=register_to_config)
    module("diffusers.utils", path=None, deprecate=lambda *a, **k: None, is_scipy_available=lambda: True,
           BaseOutput=BaseOutput, logging=types.SimpleNamespace(get_logger=_logging.getLogger))
    module("diffusers.utils.torch_utils", randn_tensor=randn_tensor)
    module("diffusers.schedulers", path=root + "/schedulers")
    module("diffusers.schedulers.scheduling_utils", SchedulerMixin=type("SchedulerMixin", (), {}),
           SchedulerOutput=SchedulerOutput,
           KarrasDiffusionSchedulers=enum.Enum("KarrasDiffusionSchedulers", "DDIMScheduler"))
    out = []
    for name in ("scheduling_unipc_multistep", "scheduling_lcm"):
        full = "diffusers.schedulers." + name
        spec = importlib.util.spec_from_file_location(full, f"{root}/schedulers/{name}.py")
        m = importlib.util.module_from_spec(spec)
        sys.modules[full] = m
        spec.loader.exec_module(m)
        out.append(m)
    return tuple(out)
