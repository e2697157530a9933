// Recording in the browser with MediaRecorder: start/stop buttons, a level meter, a timer and a
// preview, found by their ids (`${prefix}-start`, -stop, -level, -timer, -preview, -error).
// Used for voice samples (voices.js) and for reading a consent phrase (voice.js).
import { $, hide, show } from './api.js';

function recordingType() {
  for (const type of ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/mp4']) {
    if (window.MediaRecorder && MediaRecorder.isTypeSupported(type)) return type;
  }
  return '';
}

export function extensionOf(type) {
  if (type.startsWith('audio/webm')) return '.webm';
  if (type.startsWith('audio/ogg')) return '.ogg';
  return '.m4a';
}

// maxSeconds(): the longest recording allowed now (or null); onRecorded(blob): called when a
// recording is finished and playable.
export function recorder(prefix, { maxSeconds = () => null, onRecorded = () => {} } = {}) {
  const part = (name) => $(`#${prefix}-${name}`);
  const state = { media: null, stream: null, chunks: [], blob: null, started: 0, timer: 0, frame: 0, context: null };

  function meter(stream) {
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 1024;
    context.createMediaStreamSource(stream).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    const draw = () => {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const value of samples) sum += value * value;
      part('level').value = Math.min(1, Math.sqrt(sum / samples.length) * 4);
      state.frame = requestAnimationFrame(draw);
    };
    draw();
    return context;
  }

  function tick() {
    const elapsed = Math.floor((Date.now() - state.started) / 1000);
    part('timer').textContent = `${Math.floor(elapsed / 60)}:${String(elapsed % 60).padStart(2, '0')}`;
    const longest = maxSeconds();
    if (longest && elapsed >= longest) stop();
  }

  async function start() {
    const error = part('error');
    hide(error);
    const type = recordingType();
    if (!type || !navigator.mediaDevices) {
      show(error, 'This browser cannot record audio here; upload a file instead.');
      return;
    }
    try {
      state.stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
    } catch (failure) {
      show(error, 'The microphone could not be opened: allow this page to use it, or upload a file instead.');
      return;
    }
    state.chunks = [];
    state.media = new MediaRecorder(state.stream, { mimeType: type });
    state.media.ondataavailable = (event) => event.data.size && state.chunks.push(event.data);
    state.media.onstop = () => {
      state.blob = new Blob(state.chunks, { type });
      const preview = part('preview');
      preview.src = URL.createObjectURL(state.blob);
      show(preview);
      onRecorded(state.blob);
    };
    state.context = meter(state.stream);
    state.started = Date.now();
    state.timer = setInterval(tick, 250);
    state.media.start(1000);
    part('start').disabled = true;
    part('stop').disabled = false;
    part('stop').focus();
  }

  function stop() {
    if (!state.media || state.media.state === 'inactive') return;
    state.media.stop();
    state.stream.getTracks().forEach((track) => track.stop());
    clearInterval(state.timer);
    cancelAnimationFrame(state.frame);
    state.context.close();
    part('level').value = 0;
    part('start').disabled = false;
    part('start').textContent = 'Record again';
    part('stop').disabled = true;
  }

  part('start').addEventListener('click', start);
  part('stop').addEventListener('click', stop);
  return {
    get blob() {
      return state.blob;
    },
    reset() {
      state.blob = null;
      hide(part('preview'));
    },
  };
}
