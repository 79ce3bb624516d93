// The ldm4j browser UI. Generations go through the OpenAI Images endpoints (`POST
// /v1/images/generations`, multipart `POST /v1/images/edits` for img2img and inpainting), which take
// the model, sampler, scheduler, steps, guidance scale, seed, the hires fix (`hires_*`) and a `task_id`;
// the LoRA and embedding pickers write `<lora:NAME:W>` / the embedding's name into the prompt; live progress and the
// preview come from `GET /ldm4j/progress/{task_id}`; Cancel aborts the request, which the server
// treats as a disconnect and stops the generation at its next step.

import { ApiError, apiKey, followTask, getJson, post, saveApiKey } from './api.js';
import { MaskEditor } from './mask.js';
import { base64Bytes, pngParameters } from './png.js';

const $ = (id) => document.getElementById(id);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const form = $('gen-form');
const ui = {
  prompt: $('prompt'), negative: $('negative'), model: $('model'), sampler: $('sampler'), scheduler: $('scheduler'),
  steps: $('steps'), guidance: $('guidance'), batch: $('batch'), width: $('width'), height: $('height'),
  seed: $('seed'), strength: $('strength'), generate: $('generate'), cancel: $('cancel'), status: $('status'),
  error: $('error'), progress: $('progress'), preview: $('preview'), previewCaption: $('preview-caption'),
  gallery: $('gallery'), galleryEmpty: $('gallery-empty'), serverState: $('server-state'),
  hiresEnable: $('hires-enable'), hiresScale: $('hires-scale'), hiresUpscaler: $('hires-upscaler'),
  hiresSteps: $('hires-steps'), hiresStrength: $('hires-strength'), hiresSize: $('hires-size'),
  loraPick: $('lora-pick'), loraWeight: $('lora-weight'), loraAdd: $('lora-add'),
  embeddingPick: $('embedding-pick'), embeddingAdd: $('embedding-add'), embeddingAddNegative: $('embedding-add-negative'),
};

let lastSeed = null;
let running = null; // { controller, taskId, stream, … } of the generation in flight
let previewUpdates = 0;

// ---- API key ----------------------------------------------------------------------------------------

function showKeyPanel(show, why) {
  $('key-panel').hidden = !show;
  $('key-toggle').setAttribute('aria-expanded', String(show));
  if (why) {
    $('key-why').textContent = why;
  }
  if (show) {
    $('api-key').value = apiKey();
    $('api-key').focus();
  }
}

$('key-toggle').addEventListener('click', () => showKeyPanel($('key-panel').hidden));
$('key-form').addEventListener('submit', (e) => {
  e.preventDefault();
  saveApiKey($('api-key').value);
  showKeyPanel(false);
  connect();
});
$('key-forget').addEventListener('click', () => {
  saveApiKey('');
  $('api-key').value = '';
});

// ---- server lists -----------------------------------------------------------------------------------

function fill(select, values, keepFirst) {
  const first = keepFirst ? select.options[0] : null;
  select.replaceChildren(...(first ? [first] : []), ...values.map((v) => new Option(v.label ?? v, v.value ?? v)));
}

for (const select of [ui.width, ui.height]) {
  fill(select, Array.from({ length: 15 }, (_, i) => String(256 + 64 * i)), false);
  select.value = '512';
}

/** Loads the models and samplers; on 401 asks for the API key. */
async function connect() {
  ui.serverState.textContent = 'Connecting…';
  try {
    const [models, samplers] = await Promise.all([getJson('ldm4j/models'), getJson('ldm4j/samplers')]);
    fill(ui.model, models.models.map((m) => ({ value: m.name, label: m.name === models.defaultModel ? `${m.name} (default)` : m.name })), false);
    ui.model.value = models.defaultModel;
    fill(ui.sampler, samplers.samplers, true);
    fill(ui.scheduler, samplers.schedulers, true);
    ui.serverState.textContent = `Connected: ${models.models.length} model${models.models.length === 1 ? '' : 's'}.`;
    await loadExtras();
    document.body.dataset.connected = 'true';
  } catch (e) {
    document.body.dataset.connected = 'false';
    if (e instanceof ApiError && e.status === 401) {
      ui.serverState.textContent = apiKey() ? 'The saved API key was refused.' : 'This server needs an API key.';
      showKeyPanel(true, apiKey()
        ? 'The saved API key was refused by the server. Enter the right one.'
        : 'This server needs an API key. It is kept in this browser (localStorage) and sent as Authorization: Bearer … with every request.');
    } else {
      ui.serverState.textContent = `Cannot reach the server: ${e.message}`;
    }
  }
}

/**
 * The hires upscalers (`GET /ldm4j/hires-upscalers`), the library's LoRAs (`GET /sdapi/v1/loras`) and
 * embeddings (`GET /sdapi/v1/embeddings`: those the active model can use, then the others marked): each
 * list on its own, so one that fails leaves the others and the page usable.
 */
async function loadExtras() {
  const [upscalers, loras, embeddings] = await Promise.allSettled([
    getJson('ldm4j/hires-upscalers'), getJson('sdapi/v1/loras'), getJson('sdapi/v1/embeddings')]);
  if (upscalers.status === 'fulfilled') {
    fill(ui.hiresUpscaler, upscalers.value.upscalers.map((u) => ({
      value: u.name, label: `${u.name}${u.latent ? '' : ' (pixels)'}${u.name === upscalers.value.default ? ' (default)' : ''}` })), false);
    ui.hiresUpscaler.value = upscalers.value.default;
  }
  pickerList(ui.loraPick, [ui.loraAdd], loras.status === 'fulfilled'
    ? loras.value.map((l) => ({ value: l.name, label: l.alias && l.alias !== l.name ? `${l.name} (${l.alias})` : l.name }))
    : null, 'LoRAs');
  pickerList(ui.embeddingPick, [ui.embeddingAdd, ui.embeddingAddNegative], embeddings.status === 'fulfilled'
    ? [...Object.keys(embeddings.value.loaded ?? {}).map((n) => ({ value: n, label: n })),
      ...Object.keys(embeddings.value.skipped ?? {}).map((n) => ({ value: n, label: `${n} (not for the active model)` }))]
    : null, 'embeddings');
}

/** Fills a picker; `items` null when the server's list could not be read. */
function pickerList(select, buttons, items, what) {
  const none = items === null ? `(cannot list the ${what})` : `(no ${what} on the server)`;
  fill(select, items && items.length ? items : [{ value: '', label: none }], false);
  select.disabled = !(items && items.length);
  for (const b of buttons) {
    b.disabled = select.disabled;
  }
}

/** Appends `text` to a prompt field, separated by ", " from what is there. */
function appendTo(field, text) {
  const v = field.value.trimEnd();
  field.value = v ? `${v.replace(/,$/, '')}, ${text}` : text;
  field.dispatchEvent(new Event('input'));
}

ui.loraAdd.addEventListener('click', () => {
  if (ui.loraPick.value) {
    const w = Number(ui.loraWeight.value);
    appendTo(ui.prompt, `<lora:${ui.loraPick.value}:${Number.isFinite(w) ? w : 1}>`);
  }
});
ui.embeddingAdd.addEventListener('click', () => ui.embeddingPick.value && appendTo(ui.prompt, ui.embeddingPick.value));
ui.embeddingAddNegative.addEventListener('click', () => ui.embeddingPick.value && appendTo(ui.negative, ui.embeddingPick.value));

// ---- hires fix --------------------------------------------------------------------------------------

function hiresOn() {
  return mode() === 'txt2img' && ui.hiresEnable.checked;
}

/** Shows the hires settings when enabled, and the final size (the first pass's times the scale). */
function syncHires() {
  $('hires-settings').hidden = !ui.hiresEnable.checked;
  const k = Number(ui.hiresScale.value);
  ui.hiresSize.textContent = ui.hiresEnable.checked && k >= 1
    ? `Result: ${Math.trunc(Number(ui.width.value) * k)} × ${Math.trunc(Number(ui.height.value) * k)}` : '';
}
for (const el of [ui.hiresEnable, ui.hiresScale, ui.width, ui.height]) {
  el.addEventListener('input', syncHires);
  el.addEventListener('change', syncHires);
}

// ---- img2img ----------------------------------------------------------------------------------------

const editor = new MaskEditor($('init-canvas'), $('mask-canvas'), () => {
  $('mask-state').textContent = !editor.hasImage ? 'No image yet.'
    : editor.painted ? 'Mask: the painted area is regenerated (inpainting).' : 'Mask: none (img2img: the whole image is redrawn).';
});
$('brush').addEventListener('input', (e) => {
  editor.brush = Number(e.target.value);
});
$('mask-clear').addEventListener('click', () => editor.clear());

function mode() {
  return form.elements.mode.value;
}

function setMode(m) {
  form.elements.mode.value = m;
  $('img2img').hidden = m !== 'img2img';
  $('hires').hidden = m !== 'txt2img';
}

for (const r of form.elements.mode) {
  r.addEventListener('change', () => setMode(mode()));
}

function syncCanvasSize() {
  editor.resize(Number(ui.width.value), Number(ui.height.value));
}
ui.width.addEventListener('change', syncCanvasSize);
ui.height.addEventListener('change', syncCanvasSize);

async function loadInit(src) {
  const img = new Image();
  img.src = src;
  await img.decode();
  syncCanvasSize();
  editor.draw(img);
  editor.clear();
}

$('init-file').addEventListener('change', async (e) => {
  const file = e.target.files[0];
  if (file) {
    const url = URL.createObjectURL(file);
    try {
      await loadInit(url);
    } finally {
      URL.revokeObjectURL(url);
    }
  }
});

// ---- seed -------------------------------------------------------------------------------------------

$('seed-random').addEventListener('click', () => {
  ui.seed.value = '-1';
});
$('seed-reuse').addEventListener('click', () => {
  if (lastSeed !== null) {
    ui.seed.value = String(lastSeed);
  }
});

// ---- generation -------------------------------------------------------------------------------------

function showError(message) {
  ui.error.textContent = message;
  ui.error.hidden = !message;
}

function setStatus(text, state) {
  ui.status.textContent = text;
  ui.status.dataset.state = state;
}

function newTaskId() {
  const rnd = crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  return `ui-${rnd}`;
}

/** The request as the form says; `seed` omitted for a random one. */
function settings() {
  const s = {
    prompt: ui.prompt.value,
    negative_prompt: ui.negative.value,
    model: ui.model.value || undefined,
    sampler: ui.sampler.value || undefined,
    scheduler: ui.scheduler.value || undefined,
    steps: Number(ui.steps.value),
    guidance_scale: Number(ui.guidance.value),
    n: Number(ui.batch.value),
  };
  const seed = Number(ui.seed.value);
  if (ui.seed.value.trim() !== '' && seed >= 0) {
    s.seed = seed;
  }
  return s;
}

async function requestBody(s, taskId) {
  if (mode() === 'txt2img') {
    const hires = hiresOn() ? {
      hires_scale: Number(ui.hiresScale.value),
      hires_upscaler: ui.hiresUpscaler.value || undefined,
      hires_steps: Number(ui.hiresSteps.value) || undefined,
      hires_strength: Number(ui.hiresStrength.value),
    } : {};
    return ['v1/images/generations', { ...s, ...hires, size: `${ui.width.value}x${ui.height.value}`, task_id: taskId, response_format: 'b64_json' }];
  }
  if (!editor.hasImage) {
    throw new Error('Image to image needs an image: choose a file or send a result to img2img.');
  }
  const f = new FormData();
  f.append('image', await editor.imagePng(), 'image.png');
  const mask = await editor.maskPng();
  if (mask) {
    f.append('mask', mask, 'mask.png');
  }
  for (const [k, v] of Object.entries(s)) {
    if (v !== undefined && v !== '') {
      f.append(k, String(v));
    }
  }
  f.append('strength', ui.strength.value);
  f.append('task_id', taskId);
  f.append('response_format', 'b64_json');
  return ['v1/images/edits', f];
}

function onTaskEvent(run, e) {
  switch (e.event) {
    case 'queued':
      run.queued = true;
      setStatus('Queued: waiting for a free generation slot…', 'queued');
      pollQueue(run);
      break;
    case 'step':
      run.queued = false;
      run.step = e.step;
      run.total = e.total;
      ui.progress.max = e.total;
      ui.progress.value = e.step;
      setStatus(`Step ${e.step} of ${e.total}`, 'running');
      if (e.preview) {
        ui.preview.src = `data:image/png;base64,${e.preview}`;
        ui.preview.alt = `Live preview of "${run.prompt}", step ${e.step} of ${e.total}`;
        ui.preview.hidden = false;
        ui.preview.dataset.updates = String(++previewUpdates);
        ui.previewCaption.textContent = `Preview, step ${e.step} of ${e.total}`;
      }
      break;
    case 'done':
      run.serverEnd = 'done';
      break;
    case 'failed':
      run.serverEnd = 'failed';
      run.serverMessage = e.message;
      break;
    case 'cancelled':
      run.serverEnd = 'cancelled';
      run.serverMessage = e.reason;
      break;
    default:
      break;
  }
}

/**
 * While the task waits, shows how many generations the server has (running + waiting), from
 * `GET /sdapi/v1/progress`: the API does not tell a task its own place in the queue.
 */
async function pollQueue(run) {
  while (running === run && run.queued) {
    try {
      const p = await getJson('sdapi/v1/progress');
      if (running === run && run.queued) {
        const n = p.state?.job_count ?? 0;
        setStatus(`Queued: the server has ${n} generation${n === 1 ? '' : 's'} running or waiting (its own place in the queue is not reported).`, 'queued');
      }
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function generate() {
  if (running) {
    return;
  }
  showError('');
  const s = settings();
  if (!s.prompt.trim()) {
    showError('Enter a prompt.');
    ui.prompt.focus();
    return;
  }
  const taskId = newTaskId();
  const run = { taskId, prompt: s.prompt, controller: new AbortController(), streamController: new AbortController(), step: 0, total: s.steps };
  running = run;
  document.body.dataset.task = taskId;
  ui.generate.disabled = true;
  ui.cancel.disabled = false;
  ui.progress.max = s.steps;
  ui.progress.value = 0;
  ui.preview.hidden = true;
  ui.previewCaption.textContent = '';
  setStatus('Sending…', 'sending');
  let stream = null;
  try {
    const [path, body] = await requestBody(s, taskId);
    // subscribe first (the server keeps the events of an id it awaits); progress is optional, so a
    // stream that fails or is slow to answer does not hold the generation back
    stream = followTask(taskId, (e) => onTaskEvent(run, e), run.streamController.signal);
    stream.done.catch(() => {});
    await Promise.race([stream.opened.catch(() => {}), sleep(2000)]);
    const t0 = performance.now();
    const answer = await post(path, body, run.controller.signal);
    const seconds = (performance.now() - t0) / 1000;
    addResults(answer.data, s, seconds);
    setStatus(`Done: ${answer.data.length} image${answer.data.length === 1 ? '' : 's'} in ${seconds.toFixed(1)} s.`, 'done');
  } catch (e) {
    if (e.name === 'AbortError') {
      setStatus('Cancelling…', 'cancelling');
      await Promise.race([stream?.done.catch(() => {}), sleep(10000)]);
      if (run.serverEnd === 'cancelled') {
        setStatus(`Cancelled: the server stopped the generation (${run.serverMessage}) after step ${run.step} of ${run.total}.`, 'cancelled');
      } else if (run.serverEnd) {
        setStatus(`Cancelled here; the server reported "${run.serverEnd}".`, 'cancelled');
      } else {
        setStatus('Cancelled.', 'cancelled');
      }
    } else {
      setStatus('Failed.', 'failed');
      showError(e instanceof ApiError && e.param ? `${e.message} (field: ${e.param})` : e.message);
    }
  } finally {
    run.queued = false;
    run.streamController.abort();
    running = null;
    ui.generate.disabled = false;
    ui.cancel.disabled = true;
  }
}

function cancel() {
  if (running) {
    running.controller.abort();
  }
}

function addResults(data, s, seconds) {
  const created = new Date();
  data.forEach((d, i) => {
    const bytes = base64Bytes(d.b64_json);
    const parameters = pngParameters(bytes) ?? '(no parameters chunk)';
    const url = URL.createObjectURL(new Blob([bytes], { type: 'image/png' }));
    const li = document.createElement('li');
    li.className = 'result';
    li.dataset.seed = String(d.seed);
    const fig = document.createElement('figure');
    const img = document.createElement('img');
    img.src = url;
    img.alt = `Generated image ${i + 1} of ${data.length}: ${s.prompt}`;
    img.dataset.b64 = d.b64_json;
    const cap = document.createElement('figcaption');
    const summary = document.createElement('p');
    summary.className = 'small';
    // the PNG's size, from its IHDR chunk (bytes 16-23, big-endian)
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const size = bytes.length >= 24 ? ` · ${dv.getUint32(16)}×${dv.getUint32(20)}` : '';
    summary.textContent = `Seed ${d.seed}${size} · ${seconds.toFixed(1)} s · ${created.toLocaleTimeString()}`;
    const details = document.createElement('details');
    const sum = document.createElement('summary');
    sum.textContent = 'Parameters';
    const pre = document.createElement('pre');
    pre.className = 'parameters';
    pre.textContent = parameters;
    details.append(sum, pre);
    const actions = document.createElement('div');
    actions.className = 'row';
    const download = document.createElement('a');
    download.href = url;
    download.download = `ldm4j-${d.seed}.png`;
    download.textContent = 'Download';
    download.className = 'button secondary';
    const send = document.createElement('button');
    send.type = 'button';
    send.className = 'secondary';
    send.textContent = 'Send to img2img';
    send.addEventListener('click', async () => {
      setMode('img2img');
      await loadInit(url);
      ui.prompt.focus();
      $('img2img').scrollIntoView({ block: 'nearest' });
    });
    const useSeed = document.createElement('button');
    useSeed.type = 'button';
    useSeed.className = 'secondary';
    useSeed.textContent = 'Use this seed';
    useSeed.addEventListener('click', () => {
      ui.seed.value = String(d.seed);
    });
    actions.append(download, send, useSeed);
    cap.append(summary, details, actions);
    fig.append(img, cap);
    li.append(fig);
    ui.gallery.prepend(li);
  });
  if (data.length) {
    lastSeed = data[0].seed;
    $('seed-reuse').disabled = false;
    $('seed-reuse').textContent = `Reuse last seed (${lastSeed})`;
  }
  ui.galleryEmpty.hidden = ui.gallery.children.length > 0;
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  generate();
});
ui.cancel.addEventListener('click', cancel);
document.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    generate();
  }
});

setMode('txt2img');
syncCanvasSize();
syncHires();
connect();
