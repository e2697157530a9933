// Voxify's JavaScript client: ESM, no dependencies beyond fetch and WebSocket (Node 20+ with
// --experimental-websocket, Node 22+, browsers). Errors carry the API's stable error.code.

const API = '/api/v1';
const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export class VoxifyError extends Error {
  constructor(message, { code, status, details = null } = {}) {
    super(`${code}: ${message}`);
    this.name = this.constructor.name;
    this.code = code;
    this.status = status;
    this.details = details;
    this.detail = message;
  }
}
export class ValidationError extends VoxifyError {}
export class AuthenticationError extends VoxifyError {}
export class PermissionDeniedError extends VoxifyError {}
export class NotFoundError extends VoxifyError {}
export class ConflictError extends VoxifyError {}
export class PayloadTooLargeError extends VoxifyError {}
export class UnsupportedMediaError extends VoxifyError {}
export class ServerError extends VoxifyError {}
export class RateLimitedError extends VoxifyError {
  constructor(message, options = {}) {
    super(message, options);
    this.retryAfter = options.retryAfter ?? null;
  }
}
export class QuotaExceededError extends RateLimitedError {}
export class JobFailedError extends VoxifyError {
  constructor(message, { code, job }) {
    super(message, { code, status: 0, details: job });
    this.job = job;
  }
}

const BY_STATUS = {
  400: ValidationError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  410: NotFoundError,
  413: PayloadTooLargeError,
  415: UnsupportedMediaError,
};

export function errorFor(status, body, headers) {
  const error = (body && typeof body === 'object' && body.error && typeof body.error === 'object') ? body.error : {};
  const code = error.code || `HTTP_${status}`;
  const message = error.message || `The request failed with status ${status}.`;
  const options = { code, status, details: error.details ?? null };
  if (status === 429) {
    const retry = headers && headers.get ? headers.get('Retry-After') : null;
    const Kind = code === 'QUOTA_EXCEEDED' ? QuotaExceededError : RateLimitedError;
    return new Kind(message, { ...options, retryAfter: retry ? Number(retry) : null });
  }
  if (status >= 500) return new ServerError(message, options);
  return new (BY_STATUS[status] || VoxifyError)(message, options);
}

// Every operation of the API's OpenAPI document -> the client method that calls it.
export const OPERATIONS = {
  auth_register: 'auth.register',
  auth_login: 'auth.login',
  auth_refresh: 'auth.refresh',
  auth_logout: 'auth.logout',
  auth_me: 'auth.me',
  auth_usage: 'auth.usage',
  auth_password_change: 'auth.changePassword',
  auth_api_keys_list: 'apiKeys.list',
  auth_api_keys_create: 'apiKeys.create',
  auth_api_keys_revoke: 'apiKeys.revoke',
  voice_samples_list: 'samples.list',
  voice_samples_upload: 'samples.upload',
  voice_samples_consent_issue: 'samples.consent',
  voice_samples_consent_answer: 'samples.answerConsent',
  voice_samples_consent_list: 'samples.consentChecks',
  voice_samples_get: 'samples.get',
  voice_samples_delete: 'samples.delete',
  voice_samples_similar: 'samples.similar',
  voice_samples_train: 'samples.train',
  tts_voices: 'tts.voices',
  tts_synthesize: 'tts.synthesize',
  tts_synthesize_async: 'tts.synthesizeAsync',
  tts_synthesize_stream: 'tts.stream',
  tts_synthesize_stream_ticket: 'tts.streamTicket',
  tts_syntheses_list: 'tts.history',
  tts_syntheses_get: 'tts.get',
  tts_syntheses_subtitles: 'tts.subtitles',
  tts_syntheses_update: 'tts.keep',
  tts_syntheses_delete: 'tts.delete',
  tts_dictionaries_list: 'dictionaries.list',
  tts_dictionaries_create: 'dictionaries.create',
  tts_dictionaries_get: 'dictionaries.get',
  tts_dictionaries_update: 'dictionaries.update',
  tts_dictionaries_delete: 'dictionaries.delete',
  jobs_list: 'jobs.list',
  jobs_get: 'jobs.get',
  jobs_cancel: 'jobs.cancel',
  jobs_progress_ticket: 'jobs.progressTicket',
  files_upload: 'files.upload',
  tools_detect: 'tools.detect',
  files_info: 'files.info',
  files_download: 'files.download',
  files_delete: 'files.delete',
  admin_stats: 'admin.stats',
  admin_users_list: 'admin.users',
  admin_config_get: 'admin.config',
  admin_config_update: 'admin.updateConfig',
  openai_audio_speech: 'openai.speech',
  openai_voices: 'openai.voices',
  openai_models: 'openai.models',
};

const id = (value) => encodeURIComponent(String(value));

function given(values) {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined && value !== null));
}

// Server-sent events from text as it arrives: one JSON object per `data:` block.
export class EventReader {
  constructor() {
    this.buffer = '';
  }

  feed(text) {
    this.buffer += text.replace(/\r\n/g, '\n');
    const events = [];
    let end;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const data = block.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trimStart()).join('\n');
      if (data) events.push(JSON.parse(data));
    }
    return events;
  }
}

function outcome(job) {
  if (job.status === 'completed') return job;
  const error = job.error || {};
  const code = error.code || (job.status === 'cancelled' ? 'CANCELLED' : 'JOB_FAILED');
  throw new JobFailedError(error.message || `The job ended ${job.status}.`, { code, job });
}

export class Job {
  constructor(client, jobId, data) {
    this.client = client;
    this.id = jobId;
    this.data = data;
  }

  get() {
    return this.client.jobs.get(this.id);
  }

  cancel() {
    return this.client.jobs.cancel(this.id);
  }

  wait(options = {}) {
    return this.client.jobs.wait(this.id, options);
  }
}

export class Voxify {
  // new Voxify({ baseUrl, apiKey }) or new Voxify({ baseUrl, email, password }) (signs in on first
  // use and renews the access token inside), or { accessToken, refreshToken } from a sign-in.
  constructor({ baseUrl, apiKey, email, password, accessToken, refreshToken, fetch: fetchImpl } = {}) {
    if (!baseUrl) throw new TypeError('baseUrl is required');
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.credentials = { apiKey, email, password, accessToken, refreshToken };
    this.fetch = fetchImpl || globalThis.fetch.bind(globalThis);
    this.auth = new Auth(this);
    this.apiKeys = new ApiKeys(this);
    this.samples = new Samples(this);
    this.tts = new TTS(this);
    this.dictionaries = new Dictionaries(this);
    this.jobs = new Jobs(this);
    this.files = new Files(this);
    this.tools = new Tools(this);
    this.admin = new Admin(this);
    this.openai = new OpenAI(this);
  }

  authorization() {
    const token = this.credentials.apiKey || this.credentials.accessToken;
    return token ? { Authorization: `Bearer ${token}` } : {};
  }

  get needsSignIn() {
    const c = this.credentials;
    return !c.apiKey && !c.accessToken && Boolean(c.email && c.password);
  }

  async renew() {
    const c = this.credentials;
    if (c.apiKey) return false;
    if (c.refreshToken) {
      c.accessToken = null;
      try {
        const pair = await this.request('auth_refresh', 'POST', `${API}/auth/refresh`, { json: { refresh_token: c.refreshToken }, retry: false });
        this.store(pair);
        return true;
      } catch (error) {
        if (!(error instanceof AuthenticationError)) throw error;
        c.refreshToken = null;
      }
    }
    if (c.email && c.password) {
      c.accessToken = null;
      await this.auth.login(c.email, c.password);
      return true;
    }
    return false;
  }

  store(pair) {
    this.credentials.accessToken = pair.access_token;
    if (pair.refresh_token) this.credentials.refreshToken = pair.refresh_token;
  }

  // One call: the envelope's data (or the JSON, or the bytes with `raw`, or the Response with
  // `stream`), or the error thrown.
  async request(operation, method, path, { query, json, form, raw = false, envelope = true, stream = false, headers = {}, retry = true } = {}) {
    if (retry && this.needsSignIn && !operation.startsWith('auth_')) await this.renew();
    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(given(query || {}))) url.searchParams.set(key, String(value));
    const send = () => {
      const init = { method, headers: { ...(envelope ? { Accept: 'application/json' } : {}), ...headers, ...this.authorization() } };
      if (json !== undefined) {
        init.headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(json);
      } else if (form !== undefined) {
        init.body = form();
      }
      return this.fetch(url, init).catch((failure) => {
        throw new VoxifyError(`The server could not be reached: ${failure.message}`, { code: 'NETWORK_ERROR', status: 0 });
      });
    };
    let response = await send();
    if (response.status === 401 && retry && !['auth_login', 'auth_refresh'].includes(operation) && (await this.renew())) {
      response = await send();
    }
    if (response.status >= 400) {
      const body = await response.json().catch(() => null);
      throw errorFor(response.status, body, response.headers);
    }
    if (stream) return response;
    if (raw) return new Uint8Array(await response.arrayBuffer());
    if (response.status === 204) return null;
    const text = await response.text();
    if (!text) return null;
    const body = JSON.parse(text);
    if (!envelope) return body;
    if (body.success !== true) throw errorFor(response.status, body, response.headers);
    return body.data;
  }

  async *pages(operation, path, key, query = {}, pageSize = 100) {
    for (let page = 1; ; page += 1) {
      const data = await this.request(operation, 'GET', path, { query: { ...query, page, page_size: pageSize } });
      yield* data[key];
      if (!data.pagination.has_next) return;
    }
  }
}

function uploadForm(fields, file, filename) {
  return () => {
    const form = new FormData();
    for (const [key, value] of Object.entries(given(fields))) form.append(key, value);
    const blob = file instanceof Blob ? file : new Blob([file]);
    form.append('file', blob, filename || (file && file.name) || 'upload.bin');
    return form;
  };
}

function synthesisBody(text, { voiceId, keep, ...config } = {}) {
  const settings = given({
    output_format: config.outputFormat ?? config.format,
    sample_rate: config.sampleRate,
    speed: config.speed,
    pitch: config.pitch,
    volume: config.volume,
    similarity: config.similarity,
    timestamps: config.timestamps,
    input_type: config.inputType,
    normalize: config.normalize,
    dictionary_id: config.dictionaryId,
  });
  return given({ text, voice_id: voiceId, keep, config: Object.keys(settings).length ? settings : undefined });
}

class Resource {
  constructor(client) {
    this.client = client;
  }
}

class Auth extends Resource {
  register(email, password, { firstName = '', lastName = '' } = {}) {
    return this.client.request('auth_register', 'POST', `${API}/auth/register`, { json: { email, password, first_name: firstName, last_name: lastName } });
  }

  async login(email, password) {
    const pair = await this.client.request('auth_login', 'POST', `${API}/auth/login`, { json: { email, password } });
    this.client.store(pair);
    return pair;
  }

  async refresh() {
    const token = this.client.credentials.refreshToken;
    if (!token) throw new AuthenticationError('No refresh token: sign in first.', { code: 'NOT_AUTHENTICATED', status: 401 });
    const pair = await this.client.request('auth_refresh', 'POST', `${API}/auth/refresh`, { json: { refresh_token: token }, retry: false });
    this.client.store(pair);
    return pair;
  }

  async logout() {
    const token = this.client.credentials.refreshToken;
    if (token) await this.client.request('auth_logout', 'POST', `${API}/auth/logout`, { json: { refresh_token: token } });
    this.client.credentials.accessToken = null;
    this.client.credentials.refreshToken = null;
  }

  me() {
    return this.client.request('auth_me', 'GET', `${API}/auth/me`);
  }

  usage() {
    return this.client.request('auth_usage', 'GET', `${API}/auth/usage`);
  }

  async changePassword(currentPassword, newPassword) {
    const pair = await this.client.request('auth_password_change', 'POST', `${API}/auth/password`, { json: { current_password: currentPassword, new_password: newPassword } });
    this.client.store(pair);
    if (this.client.credentials.password) this.client.credentials.password = newPassword;
    return pair;
  }
}

class ApiKeys extends Resource {
  list({ pageSize = 100 } = {}) {
    return this.client.pages('auth_api_keys_list', `${API}/auth/api-keys`, 'api_keys', {}, pageSize);
  }

  create(name, { password, expiresAt } = {}) {
    return this.client.request('auth_api_keys_create', 'POST', `${API}/auth/api-keys`, { json: given({ name, password, expires_at: expiresAt }) });
  }

  revoke(keyId) {
    return this.client.request('auth_api_keys_revoke', 'DELETE', `${API}/auth/api-keys/${id(keyId)}`);
  }
}

// Pronunciation dictionaries: entries are {term, alias | phonemes, case_sensitive}.
class Dictionaries extends Resource {
  list({ pageSize = 100 } = {}) {
    return this.client.pages('tts_dictionaries_list', `${API}/tts/dictionaries`, 'dictionaries', {}, pageSize);
  }

  create(name, { entries, description, isDefault } = {}) {
    const json = given({ name, entries, description, is_default: isDefault });
    return this.client.request('tts_dictionaries_create', 'POST', `${API}/tts/dictionaries`, { json });
  }

  get(dictionaryId) {
    return this.client.request('tts_dictionaries_get', 'GET', `${API}/tts/dictionaries/${id(dictionaryId)}`);
  }

  /** Changes what is given; `entries` replaces every entry. */
  update(dictionaryId, { name, description, isDefault, entries } = {}) {
    const json = given({ name, description, is_default: isDefault, entries });
    return this.client.request('tts_dictionaries_update', 'PATCH', `${API}/tts/dictionaries/${id(dictionaryId)}`, { json });
  }

  delete(dictionaryId) {
    return this.client.request('tts_dictionaries_delete', 'DELETE', `${API}/tts/dictionaries/${id(dictionaryId)}`);
  }
}

class Samples extends Resource {
  list({ status, language, pageSize = 100 } = {}) {
    return this.client.pages('voice_samples_list', `${API}/voice/samples`, 'samples', { status, language }, pageSize);
  }

  // file: a Blob (a browser's recording, a File) or bytes (Buffer, Uint8Array).
  upload(file, { name, description = '', language = 'en-US', filename } = {}) {
    const form = uploadForm({ name, description, language }, file, filename);
    return this.client.request('voice_samples_upload', 'POST', `${API}/voice/samples`, { form });
  }

  get(sampleId) {
    return this.client.request('voice_samples_get', 'GET', `${API}/voice/samples/${id(sampleId)}`);
  }

  delete(sampleId) {
    return this.client.request('voice_samples_delete', 'DELETE', `${API}/voice/samples/${id(sampleId)}`);
  }

  similar(sampleId, { limit } = {}) {
    return this.client.request('voice_samples_similar', 'GET', `${API}/voice/samples/${id(sampleId)}/similar`, { query: { limit } });
  }

  async train(sampleId, { config } = {}) {
    const started = await this.client.request('voice_samples_train', 'POST', `${API}/voice/samples/${id(sampleId)}/train`, { json: config ? { config } : {} });
    return new Job(this.client, started.training_job_id, started);
  }

  // The spoken consent check (docs/responsible-use.md): a phrase for the speaker to read…
  consent(sampleId) {
    return this.client.request('voice_samples_consent_issue', 'POST', `${API}/voice/samples/${id(sampleId)}/consent`, { json: {} });
  }

  // …and the recording of it: the judged check ({ passed, reasons, scores, … }).
  answerConsent(sampleId, consentId, file, { filename } = {}) {
    const path = `${API}/voice/samples/${id(sampleId)}/consent/${id(consentId)}`;
    return this.client.request('voice_samples_consent_answer', 'POST', path, { form: uploadForm({}, file, filename) });
  }

  consentChecks(sampleId, { pageSize = 100 } = {}) {
    return this.client.pages('voice_samples_consent_list', `${API}/voice/samples/${id(sampleId)}/consent`, 'consent_checks', {}, pageSize);
  }
}

class TTS extends Resource {
  async voices() {
    return (await this.client.request('tts_voices', 'GET', `${API}/tts/voices`)).voices;
  }

  // options: voiceId, keep, format (or outputFormat), sampleRate, speed, pitch, volume, similarity.
  synthesize(text, options = {}) {
    return this.client.request('tts_synthesize', 'POST', `${API}/tts/synthesize`, { json: synthesisBody(text, options) });
  }

  // The same operation, answered with the audio file's bytes.
  synthesizeAudio(text, options = {}) {
    return this.client.request('tts_synthesize', 'POST', `${API}/tts/synthesize`, {
      json: synthesisBody(text, options), raw: true, envelope: false, headers: { Accept: 'audio/*' },
    });
  }

  async synthesizeAsync(text, options = {}) {
    const started = await this.client.request('tts_synthesize_async', 'POST', `${API}/tts/synthesize/async`, { json: synthesisBody(text, options) });
    return new Job(this.client, started.job_id, started);
  }

  // The audio piece by piece as it is spoken: { index, data, duration, fileId, synthesisId }.
  async *stream(text, options = {}) {
    const body = synthesisBody(text, options);
    const query = { text: body.text, voice_id: body.voice_id, keep: body.keep };
    for (const [key, value] of Object.entries(body.config || {})) query[key === 'output_format' ? 'format' : key] = value;
    const response = await this.client.request('tts_synthesize_stream', 'GET', `${API}/tts/synthesize/stream`, { query, stream: true, envelope: false });
    const reader = new EventReader();
    const decoder = new TextDecoder();
    let synthesisId = '';
    for await (const part of response.body) {
      for (const event of reader.feed(decoder.decode(part, { stream: true }))) {
        if (event.type === 'job_info') synthesisId = event.synthesis_id;
        else if (event.type === 'audio_chunk') {
          const data = await this.client.files.download(event.file_id);
          yield {
            index: event.chunk_id, data, duration: event.duration, fileId: event.file_id, synthesisId,
            start: event.start ?? 0, timestamps: event.timestamps ?? null,
          };
        } else if (event.type === 'error') {
          throw new VoxifyError(event.message, { code: event.code, status: 0 });
        }
      }
    }
  }

  streamTicket() {
    return this.client.request('tts_synthesize_stream_ticket', 'POST', `${API}/tts/synthesize/stream/ticket`);
  }

  history({ mode, status, pageSize = 100 } = {}) {
    return this.client.pages('tts_syntheses_list', `${API}/tts/syntheses`, 'syntheses', { mode, status }, pageSize);
  }

  get(synthesisId) {
    return this.client.request('tts_syntheses_get', 'GET', `${API}/tts/syntheses/${id(synthesisId)}`);
  }

  async subtitles(synthesisId, format = 'srt') {
    const bytes = await this.client.request('tts_syntheses_subtitles', 'GET', `${API}/tts/syntheses/${id(synthesisId)}/subtitles`, { query: { format }, raw: true, envelope: false });
    return new TextDecoder().decode(bytes);
  }

  keep(synthesisId, keep = true) {
    return this.client.request('tts_syntheses_update', 'PATCH', `${API}/tts/syntheses/${id(synthesisId)}`, { json: { keep } });
  }

  delete(synthesisId) {
    return this.client.request('tts_syntheses_delete', 'DELETE', `${API}/tts/syntheses/${id(synthesisId)}`);
  }
}

class Jobs extends Resource {
  list({ status, type, pageSize = 100 } = {}) {
    return this.client.pages('jobs_list', `${API}/jobs`, 'jobs', { status, type }, pageSize);
  }

  get(jobId) {
    return this.client.request('jobs_get', 'GET', `${API}/jobs/${id(jobId)}`);
  }

  cancel(jobId) {
    return this.client.request('jobs_cancel', 'POST', `${API}/jobs/${id(jobId)}/cancel`);
  }

  progressTicket(jobId) {
    return this.client.request('jobs_progress_ticket', 'POST', `${API}/jobs/${id(jobId)}/progress/ticket`);
  }

  // Follow a job to its end over its progress WebSocket (a single-use ticket, which works in
  // browsers too), calling onProgress with each update; polls when sockets are unavailable.
  async wait(jobId, { onProgress, timeoutMs } = {}) {
    const deadline = timeoutMs ? Date.now() + timeoutMs : null;
    let followed = false;
    if (typeof globalThis.WebSocket === 'function') {
      try {
        await this.follow(jobId, onProgress, deadline);
        followed = true;
      } catch (error) {
        if (error instanceof VoxifyError && error.status && error.status < 500 && error.status !== 429) throw error;
      }
    }
    if (!followed) await this.poll(jobId, onProgress, deadline);
    return outcome(await this.get(jobId));
  }

  async follow(jobId, onProgress, deadline) {
    const ticket = await this.progressTicket(jobId);
    const url = new URL(this.client.baseUrl + ticket.url);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('ticket', ticket.ticket);
    await new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      let ended = false;
      const timer = deadline ? setTimeout(() => { socket.close(); reject(new Error('timeout')); }, deadline - Date.now()) : null;
      socket.onmessage = (message) => {
        const update = JSON.parse(typeof message.data === 'string' ? message.data : new TextDecoder().decode(message.data));
        if (onProgress) onProgress(update);
        if (TERMINAL.has(update.status)) {
          ended = true;
          socket.close();
        }
      };
      socket.onclose = () => {
        if (timer) clearTimeout(timer);
        if (ended) resolve();
        else reject(new Error('the progress socket closed before the job ended'));
      };
      socket.onerror = () => {
        if (timer) clearTimeout(timer);
        reject(new Error('the progress socket failed'));
      };
    });
  }

  async poll(jobId, onProgress, deadline) {
    for (;;) {
      const job = await this.get(jobId);
      if (onProgress) onProgress(job);
      if (TERMINAL.has(job.status)) return;
      if (deadline && Date.now() > deadline) throw new VoxifyError(`Job ${jobId} did not finish in time.`, { code: 'TIMEOUT', status: 0 });
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

class Files extends Resource {
  upload(file, { filename } = {}) {
    return this.client.request('files_upload', 'POST', `${API}/files`, { form: uploadForm({}, file, filename) });
  }

  info(fileId) {
    return this.client.request('files_info', 'GET', `${API}/files/${id(fileId)}/info`);
  }

  // The file's bytes (a Uint8Array).
  download(fileId) {
    return this.client.request('files_download', 'GET', `${API}/files/audio/${id(fileId)}`, { raw: true, envelope: false });
  }

  delete(fileId) {
    return this.client.request('files_delete', 'DELETE', `${API}/files/${id(fileId)}`);
  }
}

class Tools extends Resource {
  // Whether a recording carries Voxify's watermark.
  detect(file, { filename } = {}) {
    return this.client.request('tools_detect', 'POST', `${API}/tools/detect`, { form: uploadForm({}, file, filename) });
  }
}

class Admin extends Resource {
  stats() {
    return this.client.request('admin_stats', 'GET', `${API}/admin/stats`);
  }

  users({ search, isActive, isStaff, pageSize = 100 } = {}) {
    return this.client.pages('admin_users_list', `${API}/admin/users`, 'users', { search, is_active: isActive, is_staff: isStaff }, pageSize);
  }

  config() {
    return this.client.request('admin_config_get', 'GET', `${API}/admin/config`);
  }

  updateConfig(values) {
    return this.client.request('admin_config_update', 'PUT', `${API}/admin/config`, { json: values });
  }
}

class OpenAI extends Resource {
  speech(input, { voice = 'alloy', model = 'tts-1', responseFormat = 'mp3', speed = 1.0 } = {}) {
    const json = { model, voice, input, response_format: responseFormat, speed };
    return this.client.request('openai_audio_speech', 'POST', '/v1/audio/speech', { json, raw: true, envelope: false });
  }

  voices() {
    return this.client.request('openai_voices', 'GET', '/v1/audio/voices', { envelope: false });
  }

  models() {
    return this.client.request('openai_models', 'GET', '/v1/models', { envelope: false });
  }
}
