"""Golden images for ldm4j's ResizeMode (generate/src/test/resources/golden/resize/): AUTOMATIC1111's
img2img resize modes 0 (just resize), 1 (crop and resize) and 2 (resize and fill).

Runs A1111's own images.resize_image: the function is read from the file given as the first argument
(modules/images.py of AUTOMATIC1111/stable-diffusion-webui, commit 00952fb4a8b86b75402cc8276e00f3daadf1f459,
or a file holding that function) and executed with Pillow's Image and LANCZOS, without an upscaler
(upscaler_name "None": Pillow's Lanczos, as A1111 resizes when no img2img upscaler is set). Nothing of A1111
is copied here.

    /usr/bin/python3 generate/src/test/python/resize_mode_golden.py /path/to/images.py \
        generate/src/test/resources/golden/resize

Values were taken with Pillow 9.4.0 (Debian python3-pil 9.4.0-1.1+deb12u1).
Each output file: "W H" then the RGB bytes as decimal numbers on one line; input.txt is the input image.
"""
import ast
import os
import sys
import types

from PIL import Image

source, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)

with open(source) as f:
    tree = ast.parse(f.read(), source)
fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "resize_image")
scope = {"Image": Image, "LANCZOS": Image.LANCZOS, "opts": types.SimpleNamespace(upscaler_for_img2img="None")}
exec(compile(ast.Module(body=[fn], type_ignores=[]), source, "exec"), scope)
resize_image = scope["resize_image"]


def write(name, im):
    im = im.convert("RGB")
    with open(os.path.join(out, name), "w") as f:
        f.write("%d %d\n" % im.size)
        f.write(" ".join(str(v) for px in im.getdata() for v in px) + "\n")


# a deterministic 23x17 input with edges, gradients and a diagonal
w, h = 23, 17
src = Image.new("RGB", (w, h))
src.putdata([((x * 11) % 256, (y * 15) % 256, 255 if x == y else (x * y * 3) % 256) for y in range(h) for x in range(w)])
write("input.txt", src)
for mode in (0, 1, 2):
    for (tw, th) in ((32, 16), (16, 32), (40, 40), (12, 20)):
        write("mode%d_%dx%d.txt" % (mode, tw, th), resize_image(mode, src, tw, th))
