// API keys: create (the key shown once), list, revoke.
import { $, api, allPages, clearErrors, el, hide, show, showError, toast, when } from './api.js';

function keyCard(key) {
  const state = key.revoked_at ? `revoked ${when(key.revoked_at)}` : key.expires_at ? `expires ${when(key.expires_at)}` : 'never expires';
  return el(
    'li',
    { class: 'card key', 'data-key-id': key.key_id },
    el('h3', { text: key.name }),
    el('p', { class: 'meta', text: `${key.prefix}… · made ${when(key.created_at)} · last used ${key.last_used_at ? when(key.last_used_at) : 'never'} · ${state}` }),
    key.revoked_at ? null : el('div', { class: 'actions' }, el('button', { type: 'button', class: 'danger', 'data-revoke': key.key_id, text: 'Revoke', 'aria-label': `Revoke ${key.name}` })),
  );
}

async function loadKeys() {
  const keys = await allPages('/auth/api-keys', 'api_keys');
  $('#keys').replaceChildren(...keys.map(keyCard));
  (keys.length ? hide : show)($('#keys-empty'));
}

$('#key-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  try {
    const created = await api('POST', '/auth/api-keys', {
      json: { name: $('#key-name').value.trim(), password: $('#key-password').value },
    });
    $('#key-value').value = created.key;
    show($('#key-created'));
    $('#key-value').select();
    form.reset();
    await loadKeys();
  } catch (error) {
    showError(error, { name: 'key-name', password: 'key-password' }, $('#key-form-error'));
  }
});

$('#key-copy').addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText($('#key-value').value);
    toast('Copied.');
  } catch (failure) {
    $('#key-value').select();
    toast('Select the key and copy it (Ctrl+C).');
  }
});

$('#keys').addEventListener('click', async (event) => {
  const button = event.target.closest('button[data-revoke]');
  if (!button || !window.confirm('Revoke this key? Programs using it stop working at once.')) return;
  try {
    await api('DELETE', `/auth/api-keys/${button.dataset.revoke}`);
    toast('Key revoked.');
    await loadKeys();
  } catch (error) {
    toast(error.message);
  }
});

loadKeys().catch((error) => toast(error.message));
