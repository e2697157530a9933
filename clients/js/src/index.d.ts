// Type declarations for voxify-client (src/index.js).

export type Json = Record<string, any>;
export type AudioInput = Blob | Uint8Array | ArrayBuffer;

export interface ErrorOptions {
  code: string;
  status: number;
  details?: unknown;
}

export class VoxifyError extends Error {
  constructor(message: string, options: ErrorOptions);
  /** The API's stable error code (docs/errors.md), e.g. "VOICE_SAMPLE_NOT_FOUND". */
  code: string;
  /** The HTTP status (0 when the server could not be reached, or for a failed job). */
  status: number;
  /** The error's details: for validation errors, the fields and their problems. */
  details: unknown;
  /** The API's message, without the code. */
  detail: string;
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
  /** Seconds until the limit's window ends (the Retry-After header). */
  retryAfter: number | null;
}
export class QuotaExceededError extends RateLimitedError {}
export class JobFailedError extends VoxifyError {
  job: Json;
}

export function errorFor(status: number, body: unknown, headers?: Headers): VoxifyError;

/** Every operation id of the API's OpenAPI document -> "resource.method" of the client. */
export const OPERATIONS: Record<string, string>;

export class EventReader {
  feed(text: string): Json[];
}

export interface ClientOptions {
  baseUrl: string;
  /** A personal API key (vx_...). */
  apiKey?: string;
  /** Signs in on first use and renews the access token inside. */
  email?: string;
  password?: string;
  accessToken?: string;
  refreshToken?: string;
  fetch?: typeof fetch;
}

export interface SynthesisOptions {
  voiceId?: string;
  keep?: boolean;
  /** wav, mp3, ogg, opus, flac, aac, pcm, ulaw, alaw */
  format?: string;
  outputFormat?: string;
  sampleRate?: number;
  speed?: number;
  pitch?: number;
  volume?: number;
  similarity?: number;
  /** 'word': the answer carries [{word, start, end}] */
  timestamps?: 'none' | 'word';
  /** 'ssml': the text is SSML; 'auto' (default): SSML when its root is <speak> */
  inputType?: 'auto' | 'text' | 'ssml';
  /** false: numbers, dates and abbreviations are read as written */
  normalize?: boolean;
  /** A pronunciation dictionary (dict_...); 'none': none; default: the user's default dictionary */
  dictionaryId?: string;
}

export interface AudioChunk {
  index: number;
  data: Uint8Array;
  duration: number;
  fileId: string;
  synthesisId: string;
  /** Seconds into the whole output. */
  start: number;
  /** With timestamps 'word': the written words this piece completes. */
  timestamps: WordTimestamp[] | null;
}

export interface WordTimestamp {
  word: string;
  start: number;
  end: number;
}

export interface WaitOptions {
  /** Called with each progress update ({job_id, status, progress, message, timestamp}). */
  onProgress?: (update: Json) => void;
  timeoutMs?: number;
}

export class Job {
  id: string;
  data: Json;
  get(): Promise<Json>;
  cancel(): Promise<Json>;
  /** The finished job; rejects with JobFailedError when it failed or was cancelled. */
  wait(options?: WaitOptions): Promise<Json>;
}

declare class Auth {
  register(email: string, password: string, names?: { firstName?: string; lastName?: string }): Promise<Json>;
  login(email: string, password: string): Promise<Json>;
  refresh(): Promise<Json>;
  logout(): Promise<void>;
  me(): Promise<Json>;
  usage(): Promise<Json>;
  changePassword(currentPassword: string, newPassword: string): Promise<Json>;
}

declare class ApiKeys {
  list(options?: { pageSize?: number }): AsyncIterable<Json>;
  /** The new key; its `key` (vx_...) is in this answer only. */
  create(name: string, options: { password: string; expiresAt?: string }): Promise<Json>;
  revoke(keyId: string): Promise<Json>;
}

export interface DictionaryEntry {
  term: string;
  alias?: string;
  /** IPA, as eSpeak writes it */
  phonemes?: string;
  case_sensitive?: boolean;
}

declare class Dictionaries {
  list(options?: { pageSize?: number }): AsyncIterable<Json>;
  create(name: string, options?: { entries?: DictionaryEntry[]; description?: string; isDefault?: boolean }): Promise<Json>;
  get(dictionaryId: string): Promise<Json>;
  /** Changes what is given; `entries` replaces every entry. */
  update(dictionaryId: string, changes: { name?: string; description?: string; isDefault?: boolean; entries?: DictionaryEntry[] }): Promise<Json>;
  delete(dictionaryId: string): Promise<Json>;
}

declare class Samples {
  list(options?: { status?: string; language?: string; pageSize?: number }): AsyncIterable<Json>;
  upload(file: AudioInput, options: { name: string; description?: string; language?: string; filename?: string }): Promise<Json>;
  get(sampleId: string): Promise<Json>;
  delete(sampleId: string): Promise<null>;
  similar(sampleId: string, options?: { limit?: number }): Promise<Json>;
  train(sampleId: string, options?: { config?: Json }): Promise<Job>;
  /** A consent phrase for the sample's speaker to read (docs/responsible-use.md). */
  consent(sampleId: string): Promise<Json>;
  /** The recording of the speaker reading the phrase: the judged check ({ passed, reasons, transcript, … }). */
  answerConsent(sampleId: string, consentId: string, file: AudioInput, options?: { filename?: string }): Promise<Json>;
  consentChecks(sampleId: string, options?: { pageSize?: number }): AsyncIterable<Json>;
}

declare class TTS {
  voices(): Promise<Json[]>;
  synthesize(text: string, options?: SynthesisOptions): Promise<Json>;
  synthesizeAudio(text: string, options?: SynthesisOptions): Promise<Uint8Array>;
  synthesizeAsync(text: string, options?: SynthesisOptions): Promise<Job>;
  stream(text: string, options?: SynthesisOptions): AsyncIterable<AudioChunk>;
  streamTicket(): Promise<Json>;
  history(options?: { mode?: string; status?: string; pageSize?: number }): AsyncIterable<Json>;
  get(synthesisId: string): Promise<Json>;
  subtitles(synthesisId: string, format?: 'srt' | 'vtt'): Promise<string>;
  keep(synthesisId: string, keep?: boolean): Promise<Json>;
  delete(synthesisId: string): Promise<null>;
}

declare class Jobs {
  list(options?: { status?: string; type?: string; pageSize?: number }): AsyncIterable<Json>;
  get(jobId: string): Promise<Json>;
  cancel(jobId: string): Promise<Json>;
  progressTicket(jobId: string): Promise<Json>;
  wait(jobId: string, options?: WaitOptions): Promise<Json>;
}

declare class Files {
  upload(file: AudioInput, options?: { filename?: string }): Promise<Json>;
  info(fileId: string): Promise<Json>;
  download(fileId: string): Promise<Uint8Array>;
  delete(fileId: string): Promise<Json>;
}

declare class Tools {
  /** Whether a recording carries Voxify's watermark: { watermarked, confidence, threshold, duration, detector }. */
  detect(file: AudioInput, options?: { filename?: string }): Promise<Json>;
}

declare class Admin {
  stats(): Promise<Json>;
  users(options?: { search?: string; isActive?: boolean; isStaff?: boolean; pageSize?: number }): AsyncIterable<Json>;
  config(): Promise<Json>;
  updateConfig(values: Json): Promise<Json>;
}

declare class OpenAI {
  speech(input: string, options?: { voice?: string; model?: string; responseFormat?: string; speed?: number }): Promise<Uint8Array>;
  voices(): Promise<Json>;
  models(): Promise<Json>;
}

export class Voxify {
  constructor(options: ClientOptions);
  baseUrl: string;
  auth: Auth;
  apiKeys: ApiKeys;
  samples: Samples;
  tts: TTS;
  dictionaries: Dictionaries;
  jobs: Jobs;
  files: Files;
  tools: Tools;
  /** Staff only (403 for others). */
  admin: Admin;
  /** The OpenAI-compatible API at /v1. */
  openai: OpenAI;
}
