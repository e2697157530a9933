// One sample: its facts, the speaker's spoken consent, training with live progress (the job's
// WebSocket), cancel, the result.
import { $, api, el, followJob, hide, seconds, show, toast, when } from './api.js';
import { extensionOf, recorder } from './recorder.js';

const sampleId = $('#sample').dataset.sampleId;
const storageKey = `voxify-training-${sampleId}`;
let jobId = null;

// What the validation numbers mean, in words. Similarity is the speaker encoder's cosine
// similarity between the trained voice and the recording; naturalness is DistillMOS (1-5).
function similarityWords(value) {
  if (value >= 0.85) return 'very close to the recording';
  if (value >= 0.75) return 'close to the recording';
  if (value >= 0.65) return 'somewhat like the recording';
  return 'not much like the recording';
}

function naturalnessWords(value) {
  if (value >= 4) return 'very natural';
  if (value >= 3.5) return 'natural';
  if (value >= 3) return 'fairly natural, a little synthetic';
  return 'noticeably synthetic';
}

function showResult(result) {
  const v = result.validation || {};
  const items = [];
  if (typeof v.similarity === 'number') {
    items.push(el('li', { class: 'similarity', text: `Likeness: ${similarityWords(v.similarity)} (${Math.round(v.similarity * 100)} %${typeof v.baseline_similarity === 'number' ? `; the built-in voice scores ${Math.round(v.baseline_similarity * 100)} %` : ''}).` }));
  }
  if (typeof v.naturalness === 'number') {
    items.push(el('li', { class: 'naturalness', text: `Sound: ${naturalnessWords(v.naturalness)} (${v.naturalness.toFixed(2)} of 5).` }));
  } else {
    items.push(el('li', { class: 'naturalness', text: 'Sound: not measured yet.' }));
  }
  if (typeof v.wer === 'number') {
    items.push(el('li', { text: `Clarity: a speech recogniser understood ${Math.max(0, Math.round((1 - v.wer) * 100))} % of the words.` }));
  }
  if (result.warning) items.push(el('li', { class: 'warning', text: result.warning }));
  $('#train-result-list').replaceChildren(...items);
  $('#train-speak').href = `/speak?voice=${sampleId}`;
  show($('#train-result'));
}

function progressTo(update) {
  const percent = Math.round((update.progress || 0) * 100);
  const bar = $('#train-progress');
  bar.value = percent;
  bar.textContent = `${percent}%`;
  $('#train-step').textContent = update.status === 'pending' ? 'Waiting for a worker…' : `${update.message || update.status} (${percent} %)`;
}

async function follow(id) {
  jobId = id;
  sessionStorage.setItem(storageKey, id);
  $('#train-start').disabled = true;
  show($('#train-cancel'));
  hide($('#train-error'));
  try {
    const job = await followJob(id, progressTo);
    progressTo(job);
    if (job.status === 'completed') {
      $('#train-step').textContent = 'Done: the voice is ready.';
      showResult(job.result || {});
    } else if (job.status === 'cancelled') {
      $('#train-step').textContent = 'Training cancelled.';
    } else {
      show($('#train-error'), (job.error && job.error.message) || 'Training failed.');
      $('#train-step').textContent = 'Training failed.';
    }
  } catch (error) {
    show($('#train-error'), error.message);
  } finally {
    sessionStorage.removeItem(storageKey);
    jobId = null;
    hide($('#train-cancel'));
    $('#train-start').disabled = false;
    await loadSample().catch(() => {});
  }
}

$('#train-start').addEventListener('click', async () => {
  hide($('#train-error'));
  hide($('#train-result'));
  try {
    const started = await api('POST', `/voice/samples/${sampleId}/train`, { json: {} });
    progressTo({ status: 'pending', progress: 0 });
    await follow(started.training_job_id);
  } catch (error) {
    if (error.code === 'CONSENT_REQUIRED') {
      show($('#train-error'), 'The speaker has not given consent yet: read a phrase aloud above first.');
      show($('#consent-steps'));
      $('#consent-phrase-get').focus();
    } else {
      show($('#train-error'), error.message);
    }
  }
});

// --- Consent -------------------------------------------------------------------------------

const CONSENT_REASONS = {
  PHRASE_NOT_HEARD: 'The phrase was not heard: read all the words, in order, clearly.',
  SPEAKER_MISMATCH: 'The voice does not match the voice in this sample closely enough.',
  SYNTHETIC_SPEECH: 'The reading is synthesised speech (it carries the watermark of Voxify\'s output).',
};
let consentId = null;

const consentRecording = recorder('consent', {
  maxSeconds: () => 30,
  onRecorded: () => {
    $('#consent-send').disabled = false;
  },
});

function consentGiven(at) {
  $('#consent-status').textContent = `Consent given ${when(at)}.`;
  hide($('#consent-steps'));
}

$('#consent-phrase-get').addEventListener('click', async () => {
  hide($('#consent-result'));
  hide($('#consent-error'));
  try {
    const check = await api('POST', `/voice/samples/${sampleId}/consent`);
    consentId = check.consent_id;
    consentRecording.reset();
    $('#consent-send').disabled = true;
    $('#consent-phrase').textContent = `“${check.phrase}”`;
    $('#consent-expires').textContent = `Read it aloud and send the recording before ${new Date(check.expires_at).toLocaleTimeString()}.`;
    $('#consent-phrase-get').textContent = 'Get a new phrase';
    show($('#consent-reading'));
    $('#consent-start').focus();
  } catch (error) {
    show($('#consent-error'), error.message);
  }
});

$('#consent-send').addEventListener('click', async () => {
  const blob = consentRecording.blob;
  if (!consentId || !blob) return;
  const send = $('#consent-send');
  send.disabled = true;
  send.textContent = 'Checking the reading…';
  hide($('#consent-error'));
  try {
    const form = new FormData();
    form.append('file', blob, 'consent' + extensionOf(blob.type));
    const check = await api('POST', `/voice/samples/${sampleId}/consent/${consentId}`, { form });
    consentId = null;
    hide($('#consent-reading'));
    $('#consent-outcome').textContent = check.passed ? 'Consent given: you can train the voice now.' : 'Not accepted. Get a new phrase and try again.';
    $('#consent-reasons').replaceChildren(...check.reasons.map((code) => el('li', { class: 'reason', text: CONSENT_REASONS[code] || code })));
    show($('#consent-result'));
    if (check.passed) consentGiven(check.answered_at);
  } catch (error) {
    show($('#consent-error'), error.message);
    send.disabled = false;
  } finally {
    send.textContent = 'Send the reading';
  }
});

$('#train-cancel').addEventListener('click', async () => {
  if (!jobId || !window.confirm('Stop training this voice?')) return;
  try {
    await api('POST', `/jobs/${jobId}/cancel`);
  } catch (error) {
    toast(error.message);
  }
});

async function loadSample() {
  const sample = await api('GET', `/voice/samples/${sampleId}`);
  document.title = `${sample.name} · Voxify`;
  $('#sample-name').textContent = sample.name;
  const facts = [
    ['Length', seconds(sample.duration)],
    ['Quality', `${sample.quality_score.toFixed(1)} / 10`],
    ['Heard', sample.transcript || '(nothing recognised)'],
    ['Status', sample.status],
    ['Added', when(sample.created_at)],
  ];
  if (sample.consent_passed_at) {
    consentGiven(sample.consent_passed_at);
  } else {
    $('#consent-status').textContent = 'Not given yet. Training needs it (unless an administrator has switched the check off).';
    show($('#consent-steps'));
  }
  if (sample.voice_model) facts.push(['Voice', `version ${sample.voice_model.version}, trained ${when(sample.voice_model.created_at)}`]);
  $('#sample-facts').replaceChildren(...facts.flatMap(([term, value]) => [el('dt', { text: term }), el('dd', { text: value })]));
  if (sample.voice_model && !jobId) {
    $('#train-start').textContent = 'Train again';
    if ($('#train-result').hidden) showResult({ validation: sample.voice_model.validation });
  }
  return sample;
}

loadSample()
  .then(() => {
    const running = sessionStorage.getItem(storageKey);
    if (running) follow(running);
  })
  .catch((error) => {
    show($('#sample-error'), error.message);
    $('#train-start').disabled = true;
  });
