#!/usr/bin/env python3
"""Writes the pickles the unpickler tests read: plain Python data under every protocol, and hostile
pickles that would run a command if a real unpickler loaded them.

    python3 checkpoint/src/test/python/make_test_pickles.py \
        checkpoint/src/test/resources/io/github/ldm4j/checkpoint/pickle

Nothing here ever unpickles: the hostile files come from pickle.dumps of objects whose __reduce__
only *returns* a (callable, args) pair, or are written opcode by opcode; each payload would create
/tmp/ldm4j-pwned-<name>, which the Java tests assert never appears.
"""
import collections
import os
import pickle
import pickletools
import struct
import subprocess
import sys
from pathlib import Path


def builtins_data():
    shared = [7, 8]
    return {
        "int": 1,
        "neg": -5,
        "int32": 100000,
        "big": 2 ** 70,
        "negbig": -(2 ** 65),
        "float": 1.5,
        "str": "h\u00e9llo \u2603",
        "bytes": b"\x00\xff",
        "tuple0": (),
        "tuple1": (1,),
        "tuple2": (1, 2),
        "tuple3": (1, 2, 3),
        "tuple4": (1, 2, 3, 4),
        "list": [1, [2, None]],
        "set": {1, 2},
        "frozenset": frozenset({3}),
        "none": None,
        "true": True,
        "false": False,
        "dict": {1: "a", (1, "k"): "tuple key"},
        "shared": (shared, shared),
        "od": collections.OrderedDict([("x", 1), ("y", 2)]),
    }


def cmd(name):
    return f"touch /tmp/ldm4j-pwned-{name}"


class Reduce:
    """pickle.dumps(Reduce(f, args)) writes 'call f(*args)' without calling it."""

    def __init__(self, f, args):
        self.f, self.args = f, args

    def __reduce__(self):
        return self.f, self.args


def op(code, arg=b""):
    return code + arg


def text_global(module, name):
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def short_unicode(s):
    b = s.encode()
    return b"\x8c" + bytes([len(b)]) + b


def hostile():
    files = {}
    # GLOBAL 'os system' written by hand (pickle itself would write posix.system on Linux).
    files["os_system"] = b"\x80\x02" + text_global("os", "system") + b"X" + struct.pack("<I", len(cmd("os_system"))) \
        + cmd("os_system").encode() + b"\x85R."
    files["posix_system"] = pickle.dumps(Reduce(os.system, (cmd("posix_system"),)), protocol=2)
    files["builtins_eval"] = pickle.dumps(Reduce(eval, (f"__import__('os').system('{cmd('builtins_eval')}')",)), protocol=4)
    files["builtins_eval_p2"] = pickle.dumps(Reduce(eval, (f"__import__('os').system('{cmd('builtins_eval_p2')}')",)), protocol=2)
    files["subprocess_popen"] = pickle.dumps(Reduce(subprocess.Popen, (["touch", "/tmp/ldm4j-pwned-subprocess_popen"],)), protocol=3)
    # A forbidden callable deep inside an otherwise ordinary Lightning checkpoint.
    files["nested_reduce"] = pickle.dumps(
        {"epoch": 1, "state_dict": collections.OrderedDict([("w", [(1, Reduce(os.system, (cmd("nested_reduce"),)))])])},
        protocol=2)
    # REDUCE whose callable is itself a REDUCE result: getattr(__import__('os'), 'system')(cmd).
    files["reduce_of_reduce"] = (b"\x80\x02" + text_global("builtins", "getattr")
                                 + text_global("builtins", "__import__") + b"X\x02\x00\x00\x00os\x85R"
                                 + b"X\x06\x00\x00\x00system\x86R"
                                 + b"X" + struct.pack("<I", len(cmd("reduce_of_reduce"))) + cmd("reduce_of_reduce").encode()
                                 + b"\x85R.")
    # The callable comes out of a tuple built with an allowed global first: ((OrderedDict, os.system)[1])(cmd).
    files["callable_in_tuple"] = (b"\x80\x02" + text_global("collections", "OrderedDict") + b"\x29R"
                                  + text_global("os", "system") + b"\x86.")
    # getattr('os', 'system'): refused at the name builtins.getattr, before anything is looked up.
    files["builtins_getattr"] = (b"\x80\x04" + short_unicode("builtins") + short_unicode("getattr") + b"\x93"
                                 + short_unicode("os") + short_unicode("system") + b"\x86R.")
    # posix.system through STACK_GLOBAL, its two names memoized first and fetched back with BINGET.
    files["posix_system_memo"] = (b"\x80\x04\x95" + struct.pack("<Q", 0) + short_unicode("posix") + b"\x94"
                                  + short_unicode("system") + b"\x94" + b"00" + b"h\x00h\x01\x93"
                                  + short_unicode(cmd("posix_system_memo")) + b"\x85R.")
    files["inst_os_system"] = b"(" + b"S'" + cmd("inst_os_system").encode() + b"'\n" + b"ios\nsystem\n."
    files["obj_os_system"] = b"(" + text_global("os", "system") + b"S'" + cmd("obj_os_system").encode() + b"'\no."
    files["newobj_popen"] = b"\x80\x02" + text_global("subprocess", "Popen") + b"]q\x00X\x05\x00\x00\x00touch" \
        + b"a\x85\x81."
    files["torch_load_from_bytes"] = b"\x80\x02" + text_global("torch.storage", "_load_from_bytes") + b"C\x01x\x85R."
    files["pickle_loads"] = b"\x80\x02" + text_global("pickle", "loads") + b"C\x01.\x85R."
    files["ext1"] = b"\x80\x02\x82\x01."
    return files


def main():
    root = Path(sys.argv[1])
    (root / "pickles").mkdir(parents=True, exist_ok=True)
    (root / "hostile").mkdir(parents=True, exist_ok=True)
    for protocol in range(6):
        (root / "pickles" / f"builtins-p{protocol}.pkl").write_bytes(pickle.dumps(builtins_data(), protocol=protocol))
    for name, data in hostile().items():
        pickletools.dis(data, out=open(os.devnull, "w"))  # well-formed (only disassembled, never loaded)
        (root / "hostile" / f"{name}.pkl").write_bytes(data)


if __name__ == "__main__":
    main()
