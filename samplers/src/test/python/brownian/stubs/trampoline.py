"""Stand-in for the `trampoline` package (not packaged by Debian), written for ldm4j's fixture scripts.

torchsde uses it to run generator-based recursion without deep Python stacks: a generator may
`yield` another generator (call it, get its return value sent back) or `raise TailCall(gen)`
(finish with that generator's result). The trees used here are shallow (< 64 levels), so this
stand-in simply recurses.
"""


class TailCall(BaseException):
    def __init__(self, call):
        super().__init__()
        self.call = call


def trampoline(gen):
    value = None
    while True:
        try:
            sub = gen.send(value)
        except StopIteration as done:
            return done.value
        except TailCall as tail:
            return trampoline(tail.call)
        value = trampoline(sub)
