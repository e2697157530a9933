// One sample: its facts, training with live progress (the job's WebSocket), cancel, the result.
import { $, api, el, followJob, hide, seconds, show, toast, when } from './api.js';

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
    show($('#train-error'), error.message);
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
