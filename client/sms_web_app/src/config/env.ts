/**
 * The app's configuration, read from VITE_* variables and checked once, at start-up.
 * A wrong value stops the app with a page that names it, instead of failing later.
 */

export type Architecture = 'I' | 'II';

export interface AppConfig {
  modelVersion: string;
  architecture: Architecture;
  userDataUrl: string;
  modelServingUrl: string;
  featureProxyUrl: string;
  onlineFeatures: string[];
  requestTimeoutMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
  }
}

type Env = Record<string, string | boolean | undefined>;

const DEFAULTS = {
  VITE_MODEL_VERSION: 'v1',
  VITE_ARCHITECTURE: 'I',
  VITE_USER_DATA_API_URL: 'http://localhost:8111',
  VITE_MODEL_SERVING_API_URL: 'http://localhost:8000',
  VITE_FEATURE_PROXY_URL: 'http://localhost:8999',
  VITE_ONLINE_FEATURES: 'sms_features2:features',
  VITE_REQUEST_TIMEOUT_MS: '8000',
};

function read(env: Env, name: keyof typeof DEFAULTS): string {
  const value = env[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : DEFAULTS[name];
}

function checkUrl(name: string, value: string, problems: string[]): string {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
    return value.replace(/\/+$/, '');
  } catch {
    problems.push(`${name} must be an http(s) URL, got "${value}"`);
    return value;
  }
}

export function parseConfig(env: Env): AppConfig {
  const problems: string[] = [];
  const modelVersion = read(env, 'VITE_MODEL_VERSION');
  if (!/^v\d+$/.test(modelVersion)) {
    problems.push(`VITE_MODEL_VERSION must look like v1, v2..., got "${modelVersion}"`);
  }
  const architecture = read(env, 'VITE_ARCHITECTURE');
  if (architecture !== 'I' && architecture !== 'II') {
    problems.push(`VITE_ARCHITECTURE must be I or II, got "${architecture}"`);
  }
  const onlineFeatures = read(env, 'VITE_ONLINE_FEATURES')
    .split(',')
    .map((ref) => ref.trim())
    .filter(Boolean);
  if (onlineFeatures.some((ref) => !/^\w+:\w+$/.test(ref))) {
    problems.push('VITE_ONLINE_FEATURES must be feature references like view:feature');
  }
  const timeout = Number(read(env, 'VITE_REQUEST_TIMEOUT_MS'));
  if (!Number.isInteger(timeout) || timeout <= 0) {
    problems.push('VITE_REQUEST_TIMEOUT_MS must be a positive whole number');
  }
  const config: AppConfig = {
    modelVersion,
    architecture: architecture as Architecture,
    userDataUrl: checkUrl('VITE_USER_DATA_API_URL', read(env, 'VITE_USER_DATA_API_URL'), problems),
    modelServingUrl: checkUrl(
      'VITE_MODEL_SERVING_API_URL',
      read(env, 'VITE_MODEL_SERVING_API_URL'),
      problems,
    ),
    featureProxyUrl: checkUrl('VITE_FEATURE_PROXY_URL', read(env, 'VITE_FEATURE_PROXY_URL'), problems),
    onlineFeatures,
    requestTimeoutMs: timeout,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
