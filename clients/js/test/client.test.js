// The JavaScript client against a live Voxify (VOXIFY_URL), as a program would use it. The
// Python suite starts the stack and runs this file (tests/clients/test_js_client.py); by hand:
//   VOXIFY_URL=http://127.0.0.1:8080 VOXIFY_SPEECH=../../examples/speech/LJ001-0006.wav npm test
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';

import {
  AuthenticationError, JobFailedError, NotFoundError, OPERATIONS, RateLimitedError, ValidationError, Voxify,
} from '../src/index.js';

const baseUrl = process.env.VOXIFY_URL;
const speech = process.env.VOXIFY_SPEECH;
const password = 'Analytical-Engine-1843';
const email = `js-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;

test('every operation has a method', () => {
  const client = new Voxify({ baseUrl: 'http://localhost' });
  for (const [operation, path] of Object.entries(OPERATIONS)) {
    const [resource, method] = path.split('.');
    assert.equal(typeof client[resource][method], 'function', `${operation} -> ${path}`);
  }
});

test('upload, train with progress, speak in the cloned voice three ways, list, delete', { skip: !baseUrl }, async () => {
  await new Voxify({ baseUrl }).auth.register(email, password);
  const client = new Voxify({ baseUrl, email, password }); // signs in on first use
  assert.equal((await client.auth.me()).email, email);

  const audio = await readFile(speech);
  const sample = await client.samples.upload(new Blob([audio], { type: 'audio/wav' }), { name: 'From JS', filename: 'clip.wav' });
  assert.match(sample.sample_id, /^vs_/);
  assert.ok(sample.quality_score > 0);

  const listed = [];
  for await (const item of client.samples.list({ pageSize: 1 })) listed.push(item.sample_id);
  assert.deepEqual(listed, [sample.sample_id]);

  const job = await client.samples.train(sample.sample_id);
  const updates = [];
  const trained = await job.wait({ onProgress: (update) => updates.push(update) });
  assert.equal(trained.status, 'completed');
  assert.ok(updates.length >= 2, `progress updates: ${updates.length}`);
  assert.equal(updates.at(-1).status, 'completed');

  const voiceId = sample.sample_id;
  const spoken = await client.tts.synthesize('The museum opens at nine.', { voiceId, format: 'wav' });
  assert.equal(spoken.voice_id, voiceId);
  assert.ok(spoken.duration > 0.5);
  const bytes = await client.files.download(spoken.file_id);
  assert.equal(new TextDecoder().decode(bytes.slice(0, 4)), 'RIFF');
  const found = await client.tools.detect(bytes, { filename: 'spoken.wav' });
  assert.equal(found.watermarked, true);

  const later = await client.tts.synthesizeAsync('A longer text, spoken later. With two sentences.', { voiceId });
  const done = await later.wait();
  assert.equal(done.status, 'completed');
  assert.match(done.result.file_id, /^file_/);

  const chunks = [];
  for await (const chunk of client.tts.stream('First part here. And the second part.', { voiceId, format: 'wav' })) chunks.push(chunk);
  assert.ok(chunks.length >= 2);
  assert.deepEqual(chunks.map((chunk) => chunk.index), chunks.map((_, i) => i + 1));
  assert.ok(chunks.every((chunk) => chunk.data.length > 44 && chunk.synthesisId.startsWith('syn_')));

  const timed = await client.tts.synthesize("Nine o'clock, sharp.", { voiceId, timestamps: 'word' });
  assert.deepEqual(timed.timestamps.map((w) => w.word), ['Nine', "o'clock", 'sharp']);
  assert.match(await client.tts.subtitles(timed.synthesis_id, 'vtt'), /^WEBVTT\n\n00:00:00\./);
  const timedChunks = [];
  for await (const chunk of client.tts.stream('One. Two.', { timestamps: 'word' })) timedChunks.push(chunk);
  assert.deepEqual(timedChunks.map((chunk) => chunk.timestamps.map((w) => w.word)), [['One'], ['Two']]);

  const names = await client.dictionaries.create('Names', { entries: [{ term: 'Bruce', alias: 'Wayne' }], isDefault: true });
  assert.match(names.dictionary_id, /^dict_/);
  assert.equal((await client.dictionaries.update(names.dictionary_id, { name: 'People' })).name, 'People');
  const dictionaries = [];
  for await (const item of client.dictionaries.list()) dictionaries.push(item.entry_count);
  assert.deepEqual(dictionaries, [1]);
  const named = await client.tts.synthesize('<speak>Bruce<break time="300ms"/>here.</speak>', { dictionaryId: names.dictionary_id, timestamps: 'word' });
  assert.deepEqual(named.timestamps.map((w) => w.word), ['Bruce', 'here']);
  await client.dictionaries.delete(names.dictionary_id);
  await assert.rejects(client.dictionaries.get(names.dictionary_id), (error) => error instanceof NotFoundError && error.code === 'DICTIONARY_NOT_FOUND');

  const history = [];
  for await (const item of client.tts.history()) history.push(item.synthesis_id);
  assert.ok(history.includes(spoken.synthesis_id));
  await client.tts.delete(spoken.synthesis_id);
  await assert.rejects(client.tts.get(spoken.synthesis_id), NotFoundError);
  await client.samples.delete(sample.sample_id);
  await assert.rejects(client.samples.get(sample.sample_id), (error) => error instanceof NotFoundError && error.code === 'VOICE_SAMPLE_NOT_FOUND');
});

test('errors map to their classes', { skip: !baseUrl }, async () => {
  const client = new Voxify({ baseUrl, email, password });
  await assert.rejects(new Voxify({ baseUrl, email, password: 'Wrong-password-1' }).auth.me(),
    (error) => error instanceof AuthenticationError && error.code === 'INVALID_CREDENTIALS');
  await assert.rejects(client.tts.synthesize('   '), (error) => error instanceof ValidationError && error.status === 400);
  await assert.rejects(client.tts.synthesize('Hello', { voiceId: 'vs_doesnotexist' }), NotFoundError);
  const failed = await client.tts.synthesizeAsync('x'.repeat(10));
  await failed.cancel().catch(() => null);
  await failed.wait().then((job) => assert.equal(job.status, 'completed'), (error) => assert.ok(error instanceof JobFailedError));
  // The per-email sign-in throttle: RATE_LIMITED with the seconds to wait.
  let limited = null;
  for (let attempt = 0; attempt < 30 && !limited; attempt += 1) {
    await new Voxify({ baseUrl }).auth.login(email, `Wrong-password-${attempt}`).catch((error) => {
      if (error instanceof RateLimitedError) limited = error;
    });
  }
  assert.ok(limited, 'never rate limited');
  assert.equal(limited.code, 'RATE_LIMITED');
  assert.ok(limited.retryAfter > 0);
});
