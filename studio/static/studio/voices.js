// My voices: record in the browser or upload a file; the samples with their quality.
import { $, api, allPages, ApiError, bytes, clearErrors, el, hide, seconds, show, showError, toast, when } from './api.js';
import { extensionOf, recorder } from './recorder.js';

const FILE_ERRORS = ['FILE_TOO_LARGE', 'UNSUPPORTED_FORMAT', 'INVALID_AUDIO', 'EMPTY_FILE', 'AUDIO_TOO_SHORT', 'AUDIO_TOO_LONG', 'NO_SPEECH_DETECTED', 'QUOTA_EXCEEDED'];
let limits = null;

function fieldsFor(prefix) {
  const fields = { name: `${prefix}-name`, file: `${prefix}-file` };
  for (const code of FILE_ERRORS) fields[code] = `${prefix}-file`;
  return fields;
}

// The size limit is checked here too, before a large file is sent for nothing; the API checks it
// again (and everything else) whatever the page does.
function tooLarge(file) {
  if (!limits || file.size <= limits.max_upload_bytes) return null;
  const mb = Math.round(limits.max_upload_bytes / 1024 / 1024);
  return new ApiError(413, {
    code: 'FILE_TOO_LARGE',
    message: `The file is ${bytes(file.size)}; the limit is ${mb} MB.`,
    details: { size: file.size, max_size: limits.max_upload_bytes },
  });
}

async function upload(name, file, filename, prefix) {
  const form = new FormData();
  form.append('name', name);
  form.append('language', 'en-US');
  form.append('file', file, filename);
  const refusal = tooLarge(file);
  if (refusal) throw refusal;
  return api('POST', '/voice/samples', { form });
}

// --- Samples -------------------------------------------------------------------------------

function qualityWords(score) {
  if (score >= 8) return 'excellent';
  if (score >= 6) return 'good';
  if (score >= 4) return 'usable';
  return 'poor';
}

function sampleCard(sample) {
  const issues = (sample.quality_issues || []).map((issue) => el('li', { text: issue.message }));
  const trained = sample.voice_model !== null && sample.voice_model !== undefined;
  return el(
    'li',
    { class: 'card sample', 'data-sample-id': sample.sample_id },
    el('h3', {}, el('a', { href: `/voices/${sample.sample_id}`, text: sample.name })),
    el(
      'dl',
      { class: 'facts' },
      el('dt', { text: 'Length' }), el('dd', { text: seconds(sample.duration), class: 'duration' }),
      el('dt', { text: 'Quality' }),
      el('dd', { class: 'quality', text: `${sample.quality_score.toFixed(1)} / 10 (${qualityWords(sample.quality_score)})` }),
      el('dt', { text: 'Status' }), el('dd', { text: trained ? 'voice trained' : sample.status }),
      el('dt', { text: 'Added' }), el('dd', { text: when(sample.created_at) }),
    ),
    issues.length ? el('div', { class: 'issues' }, el('p', { text: 'What could be better:' }), el('ul', {}, issues)) : el('p', { class: 'issues', text: 'No problems found in the recording.' }),
    el('p', { class: 'transcript' }, el('span', { text: 'Heard: ' }), el('q', { text: sample.transcript || '(nothing recognised)' })),
    el(
      'div',
      { class: 'actions' },
      el('a', { class: 'button primary', href: `/voices/${sample.sample_id}`, text: trained ? 'Details' : 'Train' }),
      trained ? el('a', { class: 'button', href: `/speak?voice=${sample.sample_id}`, text: 'Speak with it' }) : null,
      el('button', { type: 'button', class: 'danger', 'data-delete': sample.sample_id, text: 'Delete', 'aria-label': `Delete ${sample.name}` }),
    ),
  );
}

async function loadSamples() {
  const list = $('#samples');
  const items = await allPages('/voice/samples', 'samples');
  const details = await Promise.all(items.map((item) => api('GET', `/voice/samples/${item.sample_id}`)));
  list.replaceChildren(...details.map(sampleCard));
  (details.length ? hide : show)($('#samples-empty'));
}

$('#samples').addEventListener('click', async (event) => {
  const button = event.target.closest('button[data-delete]');
  if (!button) return;
  const card = button.closest('.sample');
  const name = card.querySelector('h3').textContent;
  if (!window.confirm(`Delete the sample "${name}" and any voice trained from it? This cannot be undone.`)) return;
  try {
    await api('DELETE', `/voice/samples/${button.dataset.delete}`);
    toast(`Deleted "${name}".`);
    await loadSamples();
  } catch (error) {
    toast(error.message);
  }
});

// --- Upload --------------------------------------------------------------------------------

$('#upload-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const name = $('#upload-name').value.trim();
  const file = $('#upload-file').files[0];
  if (!name) return showError(new ApiError(400, { message: 'Give the sample a name.', details: { name: ['Give the sample a name.'] } }), fieldsFor('upload'));
  if (!file) return showError(new ApiError(400, { message: 'Choose an audio file.', details: { file: ['Choose an audio file.'] } }), fieldsFor('upload'));
  const submit = $('#upload-submit');
  submit.disabled = true;
  submit.textContent = 'Checking the recording…';
  try {
    const sample = await upload(name, file, file.name, 'upload');
    form.reset();
    toast(`"${sample.name}" added: quality ${sample.quality_score.toFixed(1)} / 10.`);
    await loadSamples();
  } catch (error) {
    showError(error, fieldsFor('upload'), $('#upload-form-error'));
  } finally {
    submit.disabled = false;
    submit.textContent = 'Upload';
  }
});

// --- Recording -----------------------------------------------------------------------------

const recording = recorder('record', {
  maxSeconds: () => limits && limits.voice_sample_max_seconds,
  onRecorded: () => {
    $('#record-save').disabled = false;
  },
});

$('#record-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const name = $('#record-name').value.trim();
  if (!name) return showError(new ApiError(400, { message: 'Give the sample a name.', details: { name: ['Give the sample a name.'] } }), fieldsFor('record'));
  if (!recording.blob) return;
  const save = $('#record-save');
  save.disabled = true;
  save.textContent = 'Checking the recording…';
  try {
    const sample = await upload(name, recording.blob, 'recording' + extensionOf(recording.blob.type), 'record');
    toast(`"${sample.name}" added: quality ${sample.quality_score.toFixed(1)} / 10.`);
    recording.reset();
    await loadSamples();
  } catch (error) {
    showError(error, fieldsFor('record'), $('#record-file-error'));
    save.disabled = false;
  } finally {
    save.textContent = 'Save recording';
  }
});

// --- Start ---------------------------------------------------------------------------------

api('GET', '/auth/usage')
  .then((usage) => {
    limits = usage.limits;
    $('#upload-limit').textContent = `up to ${Math.round(limits.max_upload_bytes / 1024 / 1024)} MB and ${seconds(limits.voice_sample_max_seconds)}`;
  })
  .catch(() => {});
loadSamples().catch((error) => toast(error.message));
