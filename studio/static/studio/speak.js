// Speak: text, voice and settings; the audio plays while the rest is still being made (the SSE
// stream of GET /api/v1/tts/synthesize/stream, read with fetch so refusals show their message),
// then the whole file is in the player with a download link.
import { $, api, ApiError, clearErrors, el, hide, seconds, show, showError, toast } from './api.js';

const FIELDS = {
  text: 'speak-text',
  voice_id: 'speak-voice',
  EMPTY_TEXT: 'speak-text',
  TEXT_TOO_LONG: 'speak-text',
  VOICE_NOT_FOUND: 'speak-voice',
  VOICE_NOT_READY: 'speak-voice',
};
const form = $('#speak-form');
let maxLength = null;

for (const name of ['speed', 'pitch', 'volume']) {
  const input = $(`#speak-${name}`);
  const output = $(`#speak-${name}-value`);
  const update = () => (output.textContent = `${Number(input.value).toFixed(2)}×`);
  input.addEventListener('input', update);
  update();
}

function countCharacters() {
  $('#speak-count').textContent = $('#speak-text').value.length;
}
$('#speak-text').addEventListener('input', countCharacters);
countCharacters();

async function loadVoices() {
  const { voices } = await api('GET', '/tts/voices');
  const wanted = form.dataset.voice;
  const select = $('#speak-voice');
  const builtin = voices.filter((voice) => voice.type === 'builtin');
  const mine = voices.filter((voice) => voice.type === 'cloned');
  const option = (voice) => el('option', { value: voice.voice_id, text: voice.name, selected: voice.voice_id === wanted });
  select.replaceChildren(
    el('optgroup', { label: 'Built-in' }, builtin.map(option)),
    mine.length ? el('optgroup', { label: 'My voices' }, mine.map(option)) : null,
  );
}

// Server-Sent Events from a fetch body: one JSON object per `data:` line, events split by a blank line.
async function* events(response) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trim()).join('\n');
      if (data) yield JSON.parse(data);
    }
  }
}

// Plays decoded pieces back to back as they arrive.
class Player {
  constructor() {
    this.context = new AudioContext();
    this.next = 0;
    this.pending = Promise.resolve();
  }

  enqueue(url) {
    this.pending = this.pending.then(async () => {
      const data = await (await fetch(url)).arrayBuffer();
      const buffer = await this.context.decodeAudioData(data);
      const source = this.context.createBufferSource();
      source.buffer = buffer;
      source.connect(this.context.destination);
      const start = Math.max(this.context.currentTime + 0.05, this.next);
      source.start(start);
      this.next = start + buffer.duration;
    });
    return this.pending;
  }
}

async function openStream(query) {
  // A single-use ticket, as for EventSource (the documented browser path).
  const url = new URL('/api/v1/tts/synthesize/stream', window.location.origin);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  const ticket = await api('POST', '/tts/synthesize/stream/ticket');
  url.searchParams.set('ticket', ticket.ticket);
  const response = await fetch(url, { headers: { Accept: 'text/event-stream' } });
  if (!response.ok) {
    const payload = await response.json().catch(() => null);
    throw new ApiError(response.status, (payload && payload.error) || { message: response.statusText });
  }
  return response;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(form);
  const text = $('#speak-text').value;
  if (!text.trim()) return showError(new ApiError(400, { code: 'EMPTY_TEXT', message: 'Type something to speak.' }), FIELDS);
  const submit = $('#speak-submit');
  const status = $('#speak-status');
  const progress = $('#speak-progress');
  const player = new Player(); // created on the click, so the browser lets it play
  submit.disabled = true;
  hide($('#speak-result'));
  status.textContent = 'Starting…';
  progress.value = 0;
  show(progress);
  try {
    const response = await openStream({
      text,
      voice_id: $('#speak-voice').value,
      format: $('#speak-format').value,
      speed: $('#speak-speed').value,
      pitch: $('#speak-pitch').value,
      volume: $('#speak-volume').value,
    });
    let pieces = 0;
    for await (const message of events(response)) {
      if (message.type === 'job_info') {
        status.textContent = `Speaking (${message.pieces} part${message.pieces === 1 ? '' : 's'})…`;
      } else if (message.type === 'progress') {
        progress.value = Math.round(message.progress * 100);
      } else if (message.type === 'audio_chunk') {
        pieces += 1;
        player.enqueue(message.audio_url).catch(() => {});
        status.textContent = `Playing part ${pieces}…`;
      } else if (message.type === 'completed') {
        const audio = $('#speak-audio');
        audio.src = message.audio_url;
        audio.dataset.synthesisId = message.synthesis_id;
        audio.dataset.duration = message.duration;
        const link = $('#speak-download');
        link.href = message.audio_url;
        link.setAttribute('download', `${message.synthesis_id}.${$('#speak-format').value}`);
        $('#speak-duration').textContent = seconds(message.duration);
        show($('#speak-result'));
        status.textContent = 'Done.';
        progress.value = 100;
      } else if (message.type === 'error') {
        throw new ApiError(500, { code: message.code, message: message.message });
      }
    }
  } catch (error) {
    status.textContent = '';
    showError(error, FIELDS, $('#speak-form-error'));
  } finally {
    submit.disabled = false;
    hide(progress);
  }
});

api('GET', '/auth/usage')
  .then((usage) => {
    maxLength = usage.limits.max_stream_synthesis_length;
    $('#speak-max').textContent = ` of at most ${maxLength}`;
  })
  .catch(() => {});
loadVoices().catch((error) => toast(error.message));
