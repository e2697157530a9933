// Voxify Studio: the page's client of the public REST API (/api/v1). The page's cookie session
// gives it short-lived access tokens (POST /studio/token, CSRF-checked); everything else goes
// through the API with them, under the same rules as any client.

const csrfToken = document.querySelector('meta[name="csrf-token"]').content;
let token = null;
let tokenExpiresAt = 0;

export class ApiError extends Error {
  constructor(status, error) {
    super(error.message || `Request failed (${status})`);
    this.status = status;
    this.code = error.code || `HTTP_${status}`;
    this.details = error.details ?? null;
  }
}

function signIn() {
  window.location.assign('/signin?next=' + encodeURIComponent(window.location.pathname + window.location.search));
}

async function accessToken(fresh = false) {
  if (!fresh && token && Date.now() < tokenExpiresAt - 30_000) return token;
  const response = await fetch('/studio/token', {
    method: 'POST',
    headers: { 'X-CSRFToken': csrfToken },
    credentials: 'same-origin',
  });
  if (response.status === 401 || response.status === 403) {
    signIn();
    throw new ApiError(401, { code: 'NOT_AUTHENTICATED', message: 'Signed out: sign in again.' });
  }
  const body = await response.json();
  token = body.data.access_token;
  tokenExpiresAt = Date.now() + body.data.expires_in * 1000;
  return token;
}

// One API call; the envelope's data, or an ApiError with the API's stable error code.
export async function api(method, path, { json, form, query } = {}) {
  const url = new URL('/api/v1' + path, window.location.origin);
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, value);
  }
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const headers = { Authorization: 'Bearer ' + (await accessToken(attempt > 0)), Accept: 'application/json' };
    let body;
    if (json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(json);
    } else if (form !== undefined) {
      body = form;
    }
    let response;
    try {
      response = await fetch(url, { method, headers, body });
    } catch (failure) {
      throw new ApiError(0, { code: 'NETWORK_ERROR', message: 'The server could not be reached, or it closed the connection.' });
    }
    if (response.status === 401 && attempt === 0) continue; // token expired or session re-checked: once more
    if (response.status === 204) return null;
    const payload = await response.json().catch(() => null);
    if (!response.ok || !payload || payload.success === false) {
      throw new ApiError(response.status, (payload && payload.error) || { message: response.statusText });
    }
    return payload.data;
  }
  signIn();
  throw new ApiError(401, { code: 'NOT_AUTHENTICATED', message: 'Signed out: sign in again.' });
}

// --- Small DOM helpers (text is always set as text, never as HTML) -----------------------

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

export const $ = (selector) => document.querySelector(selector);

export function show(node, text) {
  if (text !== undefined) node.textContent = text;
  node.hidden = false;
}

export function hide(node) {
  node.hidden = true;
}

// Errors next to the field that caused them. `fields` maps an API field name or error code to
// the id prefix of the field's input and error paragraph (`${prefix}-error`); what cannot be
// placed goes to `fallback` (an error paragraph).
export function clearErrors(form) {
  for (const node of form.querySelectorAll('.error')) hide(node);
  for (const node of form.querySelectorAll('[aria-invalid]')) node.removeAttribute('aria-invalid');
}

export function showError(error, fields, fallback) {
  const message = error instanceof ApiError ? error.message : String(error.message || error);
  let placed = false;
  const place = (prefix, text) => {
    const target = document.getElementById(`${prefix}-error`);
    if (!target) return;
    show(target, text);
    const input = document.getElementById(prefix);
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      if (!placed) input.focus();
    }
    placed = true;
  };
  if (error instanceof ApiError && error.details && typeof error.details === 'object' && !Array.isArray(error.details)) {
    for (const [field, problems] of Object.entries(error.details)) {
      if (fields[field]) place(fields[field], Array.isArray(problems) ? problems.join(' ') : String(problems));
    }
  }
  if (!placed && error instanceof ApiError && fields[error.code]) place(fields[error.code], message);
  if (!placed && fallback) show(fallback, message);
  return message;
}

export function toast(message) {
  const node = $('#toast');
  show(node, message);
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => hide(node), 5000);
}

export function seconds(value) {
  if (value === null || value === undefined) return '–';
  const whole = Math.round(value);
  return whole >= 60 ? `${Math.floor(whole / 60)} min ${whole % 60} s` : `${Number(value).toFixed(1)} s`;
}

export function bytes(value) {
  if (value >= 1024 * 1024 * 1024) return `${(value / 1024 / 1024 / 1024).toFixed(1)} GB`;
  if (value >= 1024 * 1024) return `${(value / 1024 / 1024).toFixed(1)} MB`;
  if (value >= 1024) return `${Math.round(value / 1024)} kB`;
  return `${value} bytes`;
}

export function when(iso) {
  return iso ? new Date(iso).toLocaleString() : '';
}

// Every page of a paginated list (`key` is the list's name in the envelope's data).
export async function allPages(path, key, query = {}) {
  const items = [];
  for (let page = 1; ; page += 1) {
    const data = await api('GET', path, { query: { ...query, page, page_size: 100 } });
    items.push(...data[key]);
    if (!data.pagination || !data.pagination.has_next) return items;
  }
}

// Follow a job over its progress WebSocket (a single-use ticket: browsers cannot send headers);
// polls instead when the socket cannot be opened. Resolves with the job's final state.
const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export async function followJob(jobId, onUpdate) {
  try {
    const ticket = await api('POST', `/jobs/${jobId}/progress/ticket`);
    const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(`${scheme}//${window.location.host}${ticket.url}?ticket=${encodeURIComponent(ticket.ticket)}`);
    const last = await new Promise((resolve, reject) => {
      let latest = null;
      socket.onmessage = (event) => {
        latest = JSON.parse(event.data);
        onUpdate(latest);
        if (TERMINAL.has(latest.status)) socket.close();
      };
      socket.onclose = () => (latest && TERMINAL.has(latest.status) ? resolve(latest) : reject(new Error('socket closed')));
      socket.onerror = () => reject(new Error('socket failed'));
    });
    return await api('GET', `/jobs/${jobId}`).catch(() => last);
  } catch (failure) {
    if (failure instanceof ApiError && failure.status !== 0 && failure.status < 500) throw failure;
    for (;;) {
      const job = await api('GET', `/jobs/${jobId}`);
      onUpdate(job);
      if (TERMINAL.has(job.status)) return job;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}
