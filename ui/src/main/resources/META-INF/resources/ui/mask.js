// The img2img image and its inpainting mask: two stacked canvases of the generation size. The
// image canvas holds the init image (cropped and resized to cover the size); on the mask canvas the
// user paints with a round brush (pointer events: mouse, pen, touch). The mask sent to the server is
// white where painted (regenerate) and black elsewhere (keep), ldm4j's and A1111's convention.

export class MaskEditor {
  constructor(imageCanvas, maskCanvas, onChange) {
    this.image = imageCanvas;
    this.mask = maskCanvas;
    this.onChange = onChange;
    this.brush = 48;
    this.painted = false;
    this.hasImage = false;
    this.source = null;
    let last = null;
    const point = (e) => {
      const r = this.mask.getBoundingClientRect();
      return { x: ((e.clientX - r.left) / r.width) * this.mask.width, y: ((e.clientY - r.top) / r.height) * this.mask.height };
    };
    const paint = (from, to) => {
      const g = this.mask.getContext('2d');
      g.strokeStyle = '#fff';
      g.fillStyle = '#fff';
      g.lineCap = 'round';
      g.lineWidth = this.brush;
      g.beginPath();
      g.moveTo(from.x, from.y);
      g.lineTo(to.x, to.y);
      g.stroke();
      g.beginPath();
      g.arc(to.x, to.y, this.brush / 2, 0, Math.PI * 2);
      g.fill();
      if (!this.painted) {
        this.painted = true;
        this.onChange();
      }
    };
    this.mask.addEventListener('pointerdown', (e) => {
      this.mask.setPointerCapture(e.pointerId);
      last = point(e);
      paint(last, last);
      e.preventDefault();
    });
    this.mask.addEventListener('pointermove', (e) => {
      if (last) {
        const p = point(e);
        paint(last, p);
        last = p;
      }
    });
    const stop = () => {
      last = null;
    };
    this.mask.addEventListener('pointerup', stop);
    this.mask.addEventListener('pointercancel', stop);
  }

  /** Sets the canvases to `width` × `height`, redrawing the image (the mask is cleared). */
  resize(width, height) {
    if (this.image.width === width && this.image.height === height) {
      return;
    }
    for (const c of [this.image, this.mask]) {
      c.width = width;
      c.height = height;
    }
    if (this.source) {
      this.draw(this.source);
    }
    this.clear();
  }

  /** Draws `source` (an image or bitmap) cropped and resized to cover the canvas. */
  draw(source) {
    this.source = source;
    const g = this.image.getContext('2d');
    const w = this.image.width;
    const h = this.image.height;
    const sw = source.naturalWidth ?? source.width;
    const sh = source.naturalHeight ?? source.height;
    const scale = Math.max(w / sw, h / sh);
    const cw = w / scale;
    const ch = h / scale;
    g.clearRect(0, 0, w, h);
    g.drawImage(source, (sw - cw) / 2, (sh - ch) / 2, cw, ch, 0, 0, w, h);
    this.hasImage = true;
    this.onChange();
  }

  /** Clears the mask. */
  clear() {
    this.mask.getContext('2d').clearRect(0, 0, this.mask.width, this.mask.height);
    this.painted = false;
    this.onChange();
  }

  /** The image as a PNG blob. */
  imagePng() {
    return new Promise((resolve) => this.image.toBlob(resolve, 'image/png'));
  }

  /** The mask as a PNG blob (white = regenerate), or null when nothing is painted. */
  maskPng() {
    if (!this.painted) {
      return Promise.resolve(null);
    }
    const out = document.createElement('canvas');
    out.width = this.mask.width;
    out.height = this.mask.height;
    const g = out.getContext('2d');
    g.fillStyle = '#000';
    g.fillRect(0, 0, out.width, out.height);
    g.drawImage(this.mask, 0, 0);
    return new Promise((resolve) => out.toBlob(resolve, 'image/png'));
  }
}
