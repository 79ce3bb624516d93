// The ldm4j service as the UI uses it: every call carries the API key (when one is saved) as
// `Authorization: Bearer KEY`; errors become ApiError with the server's OpenAI error message.

const KEY = 'ldm4j.apiKey';

/** The saved API key, or ''. */
export function apiKey() {
  try {
    return localStorage.getItem(KEY) ?? '';
  } catch {
    return '';
  }
}

/** Saves (or, when blank, forgets) the API key. */
export function saveApiKey(key) {
  const k = key.trim();
  if (k) {
    localStorage.setItem(KEY, k);
  } else {
    localStorage.removeItem(KEY);
  }
}

/** A refused or failed call: HTTP status, and the OpenAI error body's fields when there was one. */
export class ApiError extends Error {
  constructor(status, message, param, code) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.param = param ?? null;
    this.code = code ?? null;
  }
}

function headers(extra = {}) {
  const h = { ...extra };
  const k = apiKey();
  if (k) {
    h.Authorization = `Bearer ${k}`;
  }
  return h;
}

async function failure(response) {
  let message = `${response.status} ${response.statusText}`.trim();
  let param = null;
  let code = null;
  try {
    const body = await response.json();
    if (body?.error) {
      message = body.error.message ?? message;
      param = body.error.param;
      code = body.error.code;
    }
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(response.status, message, param, code);
}

/** GET a JSON document. */
export async function getJson(path, signal) {
  const r = await fetch(path, { headers: headers({ Accept: 'application/json' }), signal });
  if (!r.ok) {
    throw await failure(r);
  }
  return r.json();
}

/** POST a JSON body (or, given FormData, a multipart body); answers the JSON response. */
export async function post(path, body, signal) {
  const json = !(body instanceof FormData);
  const r = await fetch(path, {
    method: 'POST',
    headers: headers(json ? { 'Content-Type': 'application/json', Accept: 'application/json' } : { Accept: 'application/json' }),
    body: json ? JSON.stringify(body) : body,
    signal,
  });
  if (!r.ok) {
    throw await failure(r);
  }
  return r.json();
}

/**
 * Follows `GET /ldm4j/progress/{taskId}` (Server-Sent Events; read with fetch, since EventSource
 * cannot send the Authorization header). `onEvent` gets each JSON event. Answers `opened` (settles
 * when the server answered the subscription) and `done` (settles when the stream ends).
 */
export function followTask(taskId, onEvent, signal) {
  const opened = fetch(`ldm4j/progress/${encodeURIComponent(taskId)}`, {
    headers: headers({ Accept: 'text/event-stream' }),
    signal,
  }).then(async (r) => {
    if (!r.ok) {
      throw await failure(r);
    }
    return r;
  });
  const done = opened.then(async (r) => {
    const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let data = [];
    for (;;) {
      const { value, done: end } = await reader.read();
      if (end) {
        return;
      }
      buffer += value;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).replace(/\r$/, '');
        buffer = buffer.slice(nl + 1);
        if (line === '') {
          if (data.length) {
            onEvent(JSON.parse(data.join('\n')));
            data = [];
          }
        } else if (line.startsWith('data:')) {
          data.push(line.slice(5).replace(/^ /, ''));
        }
      }
    }
  });
  return { opened, done };
}
