"""Stand-in for the PyPI package `trampoline` (0.1.2), which torchsde's BrownianInterval imports and which
Debian does not package. Control flow only: it runs generator-based recursion without growing the Python
stack and computes no number itself. Semantics as documented by the package:
  * `trampoline(gen)` runs generator `gen` and returns its return value;
  * inside, `value = yield sub_gen` runs `sub_gen` to completion and sends its return value back;
  * `raise TailCall(sub_gen)` replaces the running generator by `sub_gen` (its return value becomes the
    caller's).
"""


class TailCall(BaseException):
    def __init__(self, call):
        super().__init__()
        self.call = call


def trampoline(generator):
    stack = [generator]
    value = None
    while stack:
        try:
            sub = stack[-1].send(value)
            stack.append(sub)
            value = None
        except StopIteration as stop:
            stack.pop()
            value = stop.value
        except TailCall as tail:
            stack.pop()
            stack.append(tail.call)
            value = None
    return value
