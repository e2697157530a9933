// History: past syntheses (play, download, delete) and today's use against the quotas.
import { $, api, bytes, el, seconds, show, hide, toast, when } from './api.js';

let page = 1;
let voiceNames = {};

function usageRow(label, used, limit, format = (value) => value) {
  const share = limit ? Math.min(100, Math.round((used / limit) * 100)) : 100;
  return [
    el('dt', { text: label }),
    el('dd', {}, el('meter', { min: 0, max: limit || 1, value: used, 'aria-label': `${label}: ${format(used)} of ${format(limit)}` }), ` ${format(used)} of ${format(limit)} (${share} %)`),
  ];
}

async function loadUsage() {
  const usage = await api('GET', '/auth/usage');
  $('#usage').replaceChildren(
    ...usageRow('Syntheses today', usage.syntheses.used, usage.syntheses.limit),
    ...usageRow('Uploads today', usage.uploads.used, usage.uploads.limit),
    ...usageRow('Storage', usage.storage_bytes.used, usage.storage_bytes.limit, bytes),
    ...usageRow('Voice samples', usage.voice_samples.used, usage.voice_samples.limit),
  );
}

function historyCard(item) {
  const playable = item.audio_url !== null;
  return el(
    'li',
    { class: 'card synthesis', 'data-synthesis-id': item.synthesis_id },
    el('p', { class: 'text' }, el('q', { text: item.text_preview })),
    el('p', { class: 'meta', text: `${when(item.created_at)} · ${voiceNames[item.voice_id] || item.voice_id} · ${item.format} · ${seconds(item.duration)} · ${item.status}` }),
    playable ? el('audio', { controls: true, preload: 'none', src: item.audio_url, 'aria-label': `Play: ${item.text_preview}` }) : el('p', { class: 'help', text: item.status === 'completed' ? 'The audio has expired.' : '' }),
    el(
      'div',
      { class: 'actions' },
      playable ? el('a', { class: 'button', href: item.audio_url, download: `${item.synthesis_id}.${item.format}`, text: 'Download' }) : null,
      el('button', { type: 'button', class: 'danger', 'data-delete': item.synthesis_id, text: 'Delete', 'aria-label': `Delete: ${item.text_preview}` }),
    ),
  );
}

async function loadHistory() {
  const data = await api('GET', '/tts/syntheses', { query: { page, page_size: 10 } });
  $('#history').replaceChildren(...data.syntheses.map(historyCard));
  (data.syntheses.length ? hide : show)($('#history-empty'));
  const pagination = data.pagination;
  $('#history-page').textContent = pagination.total_pages > 1 ? `Page ${pagination.page} of ${pagination.total_pages}` : '';
  $('.pager').hidden = pagination.total_pages <= 1;
  $('#history-prev').disabled = !pagination.has_prev;
  $('#history-next').disabled = !pagination.has_next;
}

$('#history-prev').addEventListener('click', () => { page -= 1; loadHistory().catch((error) => toast(error.message)); });
$('#history-next').addEventListener('click', () => { page += 1; loadHistory().catch((error) => toast(error.message)); });

$('#history').addEventListener('click', async (event) => {
  const button = event.target.closest('button[data-delete]');
  if (!button || !window.confirm('Delete this synthesis and its audio? This cannot be undone.')) return;
  try {
    await api('DELETE', `/tts/syntheses/${button.dataset.delete}`);
    toast('Deleted.');
    await Promise.all([loadHistory(), loadUsage()]);
  } catch (error) {
    toast(error.message);
  }
});

loadUsage().catch((error) => toast(error.message));
api('GET', '/tts/voices')
  .then(({ voices }) => (voiceNames = Object.fromEntries(voices.map((voice) => [voice.voice_id, voice.name]))))
  .catch(() => {})
  .finally(() => loadHistory().catch((error) => toast(error.message)));
