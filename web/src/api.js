// The one way the dashboard talks to nichematch: same-origin fetch with the session
// cookie (sent by the browser, never readable here), the CSRF token on unsafe methods,
// and RFC 9457 problems turned into ApiError (detail and errors[].field for the UI).
let csrfToken = null;
let onUnauthorized = () => {};

export function setCsrfToken(token) {
  csrfToken = token;
}

export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
  // [{field, message, line}] from the problem, possibly empty.
  get fieldErrors() {
    return Array.isArray(this.problem.errors) ? this.problem.errors : [];
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function headersFor(method, contentType) {
  const h = { Accept: 'application/json, application/problem+json' };
  if (contentType) h['Content-Type'] = contentType;
  if (UNSAFE.has(method) && csrfToken) h['X-CSRF-Token'] = csrfToken;
  return h;
}

async function parse(res) {
  if (res.status === 204) return null;
  const ct = res.headers.get('Content-Type') || '';
  if (ct.includes('json')) return res.json();
  return res.text();
}

// api('GET', '/v1/brands') → parsed JSON; throws ApiError on a problem.
// opts.body: sent as JSON; opts.raw + opts.contentType: sent as is.
export async function api(method, path, opts = {}) {
  let body;
  let contentType;
  if (opts.raw !== undefined) {
    body = opts.raw;
    contentType = opts.contentType;
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    contentType = opts.contentType || 'application/json';
  }
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: headersFor(method, contentType),
      body,
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, { title: 'Network error', detail: 'The server could not be reached: ' + e.message });
  }
  const data = await parse(res).catch(() => null);
  if (!res.ok) {
    const problem = data && typeof data === 'object' ? data : { title: res.statusText, detail: String(data || '') };
    if (res.status === 401 && path !== '/v1/sessions') onUnauthorized();
    throw new ApiError(res.status, problem);
  }
  return data;
}

// An upload with progress (fetch cannot report upload progress): resolves with the
// parsed reply, rejects with ApiError. onProgress(loaded, total); method POST or PUT.
export function upload(path, file, contentType, onProgress, method = 'POST') {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, path);
    const h = headersFor(method, contentType);
    for (const k of Object.keys(h)) xhr.setRequestHeader(k, h[k]);
    xhr.responseType = 'text';
    xhr.upload.onprogress = (e) => onProgress && onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onerror = () => reject(new ApiError(0, { title: 'Network error', detail: 'The upload failed.' }));
    xhr.onload = () => {
      let data = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch (e) {
        data = { detail: xhr.responseText };
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else {
        if (xhr.status === 401) onUnauthorized();
        reject(new ApiError(xhr.status, data));
      }
    };
    xhr.send(file);
  });
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}
